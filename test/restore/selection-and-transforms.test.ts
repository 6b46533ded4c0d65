import { describe, expect, it } from 'vitest';
import type { ExportedResource } from '../../activities/cluster/export/export-resources.js';
import type { KubeObject } from '../../activities/cluster/export/kube-object.js';
import { inApplyOrder } from '../../activities/cluster/restore/apply-order.js';
import { notRestoredReason } from '../../activities/cluster/restore/cluster-generated.js';
import { NamespaceMapping } from '../../lib/domain/namespace-mapping.js';
import { selectForRestore } from '../../activities/cluster/restore/restore-selection.js';
import { applyTransforms } from '../../activities/cluster/restore/transforms.js';
import { restoreOptions } from './helpers/options.js';

function resource(typeId: string, name: string, namespace?: string, extra: Partial<KubeObject> = {}, labels: Record<string, string> = {}): ExportedResource {
  const kind = typeId.split('.')[0]!;
  return {
    typeId,
    apiVersion: 'v1',
    kind,
    ...(namespace ? { namespace } : {}),
    name,
    reason: 'selected',
    object: { ...extra, metadata: { name, ...(namespace ? { namespace } : {}), labels } },
  };
}

const keys = (rs: ExportedResource[]): string[] => rs.map((r) => `${r.typeId}/${r.namespace ?? ''}/${r.name}`).sort();

describe('selecting what a restore takes', () => {
  const all = [
    resource('namespaces', 'shop'),
    resource('namespaces', 'other'),
    resource('configmaps', 'web', 'shop', {}, { app: 'web' }),
    resource('configmaps', 'db', 'shop', {}, { app: 'db' }),
    resource('secrets', 'web', 'other', {}, { app: 'web' }),
    resource('widgets.example.com', 'w', 'shop', {}, { app: 'web' }),
    resource('customresourcedefinitions.apiextensions.k8s.io', 'widgets.example.com'),
    resource('persistentvolumes', 'pv-other', undefined, { spec: { claimRef: { namespace: 'other', name: 'c' } } }),
    resource('clusterrolebindings.rbac.authorization.k8s.io', 'crb-shop', undefined, { subjects: [{ kind: 'ServiceAccount', name: 'a', namespace: 'shop' }] }),
  ];

  it('keeps objects of the chosen namespaces and the cluster-scoped ones tied to them', () => {
    expect(keys(selectForRestore(all, restoreOptions({ selection: { namespaces: ['shop'] } }).selection))).toEqual(
      keys(all.filter((r) => r.namespace === 'shop' || ['shop', 'widgets.example.com', 'crb-shop'].includes(r.name))),
    );
  });

  it('applies types and labels, and keeps the namespace and CRD the chosen objects need', () => {
    const chosen = selectForRestore(all, restoreOptions({ selection: { resourceTypes: ['widgets.example.com', 'configmaps'], labels: 'app:web' } }).selection);
    expect(keys(chosen)).toEqual(['configmaps/shop/web', 'customresourcedefinitions.apiextensions.k8s.io//widgets.example.com', 'namespaces//shop', 'widgets.example.com/shop/w']);
  });
});

describe('transforms', () => {
  const transforms = restoreOptions({ transforms: { namespaceMapping: { shop: 'shop-dr' }, storageClassMapping: { fast: 'standard' } } }).transforms;
  const namespaces = new NamespaceMapping(transforms, new Set(['shop']));

  it('renames only the namespaces the restore brings, wherever they are referenced', () => {
    const binding: KubeObject = {
      metadata: { name: 'b' },
      subjects: [
        { kind: 'ServiceAccount', name: 'a', namespace: 'shop' },
        { kind: 'ServiceAccount', name: 'coredns', namespace: 'kube-system' },
        { kind: 'User', name: 'jane' },
      ],
    };
    applyTransforms('clusterrolebindings.rbac.authorization.k8s.io', binding, namespaces, transforms);
    expect(binding.subjects?.map((s) => s.namespace)).toEqual(['shop-dr', 'kube-system', undefined]);
    const ns: KubeObject = { metadata: { name: 'shop' } };
    applyTransforms('namespaces', ns, namespaces, transforms);
    expect(ns.metadata.name).toBe('shop-dr');
  });

  it('remaps storage classes of claims, volumes and stateful set claim templates', () => {
    const sts: KubeObject = { metadata: { name: 's', namespace: 'shop' }, spec: { volumeClaimTemplates: [{ spec: { storageClassName: 'fast' } }, { spec: { storageClassName: 'slow' } }] } };
    applyTransforms('statefulsets.apps', sts, namespaces, transforms);
    expect(sts.metadata.namespace).toBe('shop-dr');
    expect(sts.spec?.volumeClaimTemplates).toEqual([{ spec: { storageClassName: 'standard' } }, { spec: { storageClassName: 'slow' } }]);
    const pvc: KubeObject = { metadata: { name: 'c', namespace: 'shop', annotations: { 'volume.beta.kubernetes.io/storage-class': 'fast' } }, spec: { storageClassName: 'fast' } };
    applyTransforms('persistentvolumeclaims', pvc, namespaces, transforms);
    expect([pvc.spec?.storageClassName, pvc.metadata.annotations]).toEqual(['standard', { 'volume.beta.kubernetes.io/storage-class': 'standard' }]);
  });
});

describe('what is not restored, and in which order the rest is', () => {
  it('skips what the target generates', () => {
    expect(notRestoredReason(resource('secrets', 't', 'n', { type: 'kubernetes.io/service-account-token' }))).toMatch(/issued by the target/);
    expect(notRestoredReason(resource('endpointslices.discovery.k8s.io', 'e', 'n'))).toMatch(/generated/);
    expect(notRestoredReason(resource('configmaps', 'kube-root-ca.crt', 'n'))).toMatch(/root CA/);
    const owned = resource('pods', 'p', 'n');
    owned.object.metadata.ownerReferences = [{ kind: 'ReplicaSet', name: 'rs', controller: true }];
    expect(notRestoredReason(owned)).toBe('recreated by its controller ReplicaSet/rs');
    expect(notRestoredReason(resource('pods', 'solo', 'n'))).toBeUndefined();
  });

  it('orders CRDs, namespaces, storage, config, accounts, RBAC, services, workloads, then everything else', () => {
    const order = ['widgets.example.com', 'deployments.apps', 'services', 'rolebindings.rbac.authorization.k8s.io', 'serviceaccounts', 'configmaps', 'persistentvolumeclaims', 'storageclasses.storage.k8s.io', 'namespaces', 'customresourcedefinitions.apiextensions.k8s.io'];
    expect(inApplyOrder(order.map((typeId) => ({ typeId }))).map((g) => g.map((r) => r.typeId))).toEqual([...order].reverse().map((t) => [t]));
  });
});
