import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../activities/cluster/export/kube-object.js';
import { sanitize } from '../../activities/cluster/restore/sanitize.js';

const context = { restoredVolumes: new Set(['pv-restored']), preserveNodePorts: false };

function service(spec: Record<string, unknown>, annotations: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'n', uid: 'u', resourceVersion: '7', annotations }, spec, status: { loadBalancer: {} } };
}

describe('sanitizing an object for another cluster', () => {
  it('drops server metadata, owner references and status', () => {
    const object: KubeObject = {
      metadata: { name: 'c', namespace: 'n', uid: 'u', resourceVersion: '1', generation: 2, creationTimestamp: 't', ownerReferences: [{ kind: 'X', name: 'x' }], labels: { a: 'b' } },
      status: { phase: 'Active' },
    };
    sanitize('configmaps', object, context);
    expect(object).toEqual({ metadata: { name: 'c', namespace: 'n', labels: { a: 'b' } } });
  });

  it('clears cluster IPs and assigned node ports but keeps headless services and chosen ports', () => {
    const assigned = service({ type: 'NodePort', clusterIP: '10.0.0.5', clusterIPs: ['10.0.0.5'], ports: [{ port: 80, nodePort: 31000 }] });
    sanitize('services', assigned, context);
    expect(assigned.spec).toEqual({ type: 'NodePort', ports: [{ port: 80 }] });

    const chosen = service(
      { type: 'NodePort', clusterIP: 'None', ports: [{ port: 80, nodePort: 31000 }, { port: 81, nodePort: 31001 }] },
      { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ spec: { ports: [{ port: 80, nodePort: 31000 }] } }) },
    );
    sanitize('services', chosen, context);
    expect(chosen.spec).toEqual({ type: 'NodePort', clusterIP: 'None', ports: [{ port: 80, nodePort: 31000 }, { port: 81 }] });

    const preserved = service({ type: 'NodePort', ports: [{ port: 80, nodePort: 31000 }] });
    sanitize('services', preserved, { ...context, preserveNodePorts: true });
    expect(preserved.spec).toEqual({ type: 'NodePort', ports: [{ port: 80, nodePort: 31000 }] });
  });

  it('unbinds a claim whose volume is not restored, and keeps the binding when it is', () => {
    const annotations = { 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes', keep: 'me' };
    const orphan: KubeObject = { metadata: { name: 'c', namespace: 'n', annotations: { ...annotations } }, spec: { volumeName: 'pv-gone', storageClassName: 'x' } };
    sanitize('persistentvolumeclaims', orphan, context);
    expect(orphan).toEqual({ metadata: { name: 'c', namespace: 'n', annotations: { keep: 'me' } }, spec: { storageClassName: 'x' } });

    const bound: KubeObject = { metadata: { name: 'c', namespace: 'n' }, spec: { volumeName: 'pv-restored' } };
    sanitize('persistentvolumeclaims', bound, context);
    expect(bound.spec).toEqual({ volumeName: 'pv-restored' });
  });

  it("drops a PV claim reference's uid and resourceVersion but keeps whom it is reserved for", () => {
    const pv: KubeObject = { metadata: { name: 'pv' }, spec: { claimRef: { namespace: 'n', name: 'c', uid: 'u', resourceVersion: '3', kind: 'PersistentVolumeClaim' } } };
    sanitize('persistentvolumes', pv, context);
    expect(pv.spec).toEqual({ claimRef: { namespace: 'n', name: 'c', kind: 'PersistentVolumeClaim' } });
  });

  it("removes a job's generated selector and uid labels unless the selector is manual", () => {
    const labels = { 'controller-uid': 'u', 'batch.kubernetes.io/controller-uid': 'u', app: 'j' };
    const job: KubeObject = { metadata: { name: 'j', namespace: 'n' }, spec: { selector: { matchLabels: labels }, template: { metadata: { labels: { ...labels } } } } };
    sanitize('jobs.batch', job, context);
    expect(job.spec).toEqual({ template: { metadata: { labels: { app: 'j' } } } });

    const manual: KubeObject = { metadata: { name: 'j', namespace: 'n' }, spec: { manualSelector: true, selector: { matchLabels: { app: 'j' } } } };
    sanitize('jobs.batch', manual, context);
    expect(manual.spec).toEqual({ manualSelector: true, selector: { matchLabels: { app: 'j' } } });
  });
});
