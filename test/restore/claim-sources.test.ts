import { describe, expect, it } from 'vitest';
import type { ExportedResource } from '../../activities/cluster/export/export-resources.js';
import type { KubeObject } from '../../activities/cluster/export/kube-object.js';
import { KubeRestClient } from '../../lib/kube/rest-client.js';
import { allClaimSources, CopySources } from '../../activities/cluster/restore/copy-sources.js';
import { HELD_BY_LABEL, HELD_REPLICAS_ANNOTATION } from '../../activities/cluster/restore/held-workloads.js';
import { restoreContentName, restoreSnapshotName, SnapshotSources } from '../../activities/cluster/restore/snapshot-sources.js';
import { KubeConfig } from '@kubernetes/client-node';
import { filesPerMover } from '../../workflows/restore-copies.js';

const JOB = '0b9c1a9e-4f3e-4a51-9d7e-2b8f6a1c3d40';

function claim(namespace: string, name: string, spec: Record<string, unknown>): ExportedResource {
  return { typeId: 'persistentvolumeclaims', apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace, name, reason: 'selected', object: { metadata: { name, namespace }, spec } };
}

function volume(name: string, claimRef: { namespace: string; name: string }): ExportedResource {
  return { typeId: 'persistentvolumes', apiVersion: 'v1', kind: 'PersistentVolume', name, reason: 'selected', object: { metadata: { name }, spec: { claimRef } } };
}

/** What prepare() hands the sources: a copy, already renamed into the target namespace. */
function prepared(resource: ExportedResource, namespace: string): KubeObject {
  const object = structuredClone(resource.object);
  object.metadata.namespace = namespace;
  return object;
}

// Never called in these tests: only beforeWrite talks to the cluster.
const kube = new KubeRestClient(new KubeConfig());
const snapshots = new SnapshotSources(kube, JOB, [{ namespace: 'shop', claim: 'data', storageClass: 'fast', snapshotHandle: 'snapshot-1' }]);
const copies = new CopySources([{ namespace: 'shop', claim: 'files' }], JOB);
const sources = allClaimSources([snapshots, copies]);

describe('claims restored from snapshots and copies', () => {
  it('points a snapshotted claim at the VolumeSnapshot beside it and drops its old binding and data source', () => {
    const resource = claim('shop', 'data', { volumeName: 'pv-old', dataSource: { kind: 'PersistentVolumeClaim', name: 'seed' }, storageClassName: 'fast' });
    const object = prepared(resource, 'shop-dr');
    sources.prepareObject(resource, object);
    const source = { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: `haven-${JOB}-data` };
    expect(object.spec).toEqual({ storageClassName: 'fast', dataSource: source, dataSourceRef: source });
  });

  it('creates a copied claim empty: no volume, no data source', () => {
    const resource = claim('shop', 'files', { volumeName: 'pv-old', dataSourceRef: { kind: 'VolumeSnapshot', name: 'x' }, storageClassName: 'nfs' });
    const object = prepared(resource, 'shop-dr');
    sources.prepareObject(resource, object);
    expect(object.spec).toEqual({ storageClassName: 'nfs' });
  });

  it('leaves other claims as they are', () => {
    const resource = claim('shop', 'other', { volumeName: 'pv-kept' });
    const object = prepared(resource, 'shop');
    sources.prepareObject(resource, object);
    expect(object.spec).toEqual({ volumeName: 'pv-kept' });
  });

  it('does not restore the PVs of those claims, saying what replaces them', () => {
    expect(sources.notRestoredReason(volume('pv-a', { namespace: 'shop', name: 'data' }))).toBe('replaced by a new volume provisioned from the CSI snapshot of claim shop/data');
    expect(sources.notRestoredReason(volume('pv-b', { namespace: 'shop', name: 'files' }))).toBe('replaced by a new volume filled from the copy of claim shop/files');
    expect(sources.notRestoredReason(volume('pv-c', { namespace: 'shop', name: 'other' }))).toBeUndefined();
  });

  it('lists the created claims under their target namespace', () => {
    sources.written(claim('shop', 'data', {}), { metadata: { name: 'data', namespace: 'shop-dr' } });
    sources.written(claim('shop', 'files', {}), { metadata: { name: 'files', namespace: 'shop-dr' } });
    expect(snapshots.restored).toEqual([{ namespace: 'shop', claim: 'data', targetNamespace: 'shop-dr', snapshotName: `haven-${JOB}-data` }]);
    expect(copies.emptied).toEqual([{ namespace: 'shop', claim: 'files', targetNamespace: 'shop-dr' }]);
  });

  it('names snapshot sources within the API\'s limits, contents uniquely per namespace', () => {
    expect(restoreSnapshotName(JOB, 'c'.repeat(253)).length).toBeLessThanOrEqual(253);
    expect(restoreContentName(JOB, 'a', 'data')).not.toBe(restoreContentName(JOB, 'b', 'data'));
    expect(restoreContentName(JOB, 'a', 'data')).toMatch(/^haven-restore-[0-9a-f]{40}$/);
  });
});

describe('workloads that mount copied claims', () => {
  const held = new CopySources([{ namespace: 'data', claim: 'cache' }, { namespace: 'data', claim: 'pg-db-0' }], JOB);
  function workload(typeId: string, kind: string, name: string, spec: Record<string, unknown>): ExportedResource {
    return { typeId, apiVersion: 'apps/v1', kind, namespace: 'data', name, reason: 'selected', object: { metadata: { name, namespace: 'data' }, spec } };
  }
  const podWith = (claimName: string) => ({ template: { spec: { volumes: [{ name: 'v', persistentVolumeClaim: { claimName } }] } } });

  it('are created with no replicas, their count and the job kept on them', () => {
    const deployment = workload('deployments.apps', 'Deployment', 'cache', { replicas: 3, ...podWith('cache') });
    const object = prepared(deployment, 'data-dr');
    held.prepareObject(deployment, object);
    expect(object.spec?.replicas).toBe(0);
    expect(object.metadata.annotations).toEqual({ [HELD_REPLICAS_ANNOTATION]: '3' });
    expect(object.metadata.labels).toEqual({ [HELD_BY_LABEL]: JOB });
  });

  it('include a StatefulSet whose claim template made a copied claim', () => {
    const set = workload('statefulsets.apps', 'StatefulSet', 'db', { replicas: 2, volumeClaimTemplates: [{ metadata: { name: 'pg' } }] });
    const object = prepared(set, 'data');
    held.prepareObject(set, object);
    expect(object.spec?.replicas).toBe(0);
  });

  it('leave others alone', () => {
    const other = workload('deployments.apps', 'Deployment', 'web', { replicas: 2, ...podWith('uploads') });
    const object = prepared(other, 'data');
    held.prepareObject(other, object);
    expect(object).toEqual(prepared(other, 'data'));
  });
});

describe('splitting total concurrent files across mover pods', () => {
  it('gives each pod of a batch its share, at least one file', () => {
    expect(filesPerMover(16, 2, 5)).toBe(8);
    expect(filesPerMover(16, 4, 2)).toBe(8);
    expect(filesPerMover(3, 8, 8)).toBe(1);
  });
});
