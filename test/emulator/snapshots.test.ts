import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { volumeDigest } from '../fixtures/volume-digest.js';
import { SNAPSHOT_CLASS, STORAGE_CLASS } from './storage/storage-classes.js';
import { READY_DELAY_ANNOTATION, SNAPSHOT_BEING_DELETED_ANNOTATION, SNAPSHOT_FINALIZER, type VolumeSnapshotContent } from './snapshots/types.js';
import { volumeSnapshotContents, volumeSnapshots } from './support/kube-api.js';
import { eventually, startEmulatedCluster, type EmulatedCluster } from './helpers/cluster.js';
import { aClaim, boundClaim, createSnapshot, eventsFor, readSnapshot, readySnapshot } from './helpers/objects.js';

describe('CSI snapshots on a real API server', () => {
  let cluster: EmulatedCluster;
  beforeAll(async () => {
    cluster = await startEmulatedCluster();
  });
  afterAll(async () => cluster?.stop());

  const readContent = async (name: string) => (await cluster.api.custom.getClusterCustomObject({ ...volumeSnapshotContents, name })) as VolumeSnapshotContent;
  const contentGone = (name: string) => cluster.api.custom.getClusterCustomObject({ ...volumeSnapshotContents, name }).then(() => false, (err: { code?: number }) => err.code === 404);

  async function volumeWithData(namespace: string, pvcName: string) {
    await cluster.api.core.createNamespacedPersistentVolumeClaim({ namespace, body: aClaim(pvcName) });
    const pvc = await boundClaim(cluster.api, namespace, pvcName);
    const pv = await cluster.api.core.readPersistentVolume({ name: pvc.spec?.volumeName ?? '' });
    const dir = cluster.node.volumePath(pv);
    await writeFile(join(dir, 'state.txt'), 'before');
    return { pvc, pv, dir };
  }

  it('copies the volume as of the snapshot and binds snapcontent-<uid> like the real controller', async () => {
    const namespace = await cluster.namespace();
    const { pvc, pv, dir } = await volumeWithData(namespace, 'data');
    const before = await volumeDigest(dir);
    await createSnapshot(cluster.api, namespace, 'snap', 'data');
    const snapshot = await readySnapshot(cluster.api, namespace, 'snap');
    await writeFile(join(dir, 'state.txt'), 'after');

    const contentName = `snapcontent-${snapshot.metadata.uid}`;
    expect(snapshot.status).toMatchObject({ boundVolumeSnapshotContentName: contentName, readyToUse: true, restoreSize: '1Gi' });
    expect(snapshot.spec.volumeSnapshotClassName).toBe(SNAPSHOT_CLASS.delete);
    expect(snapshot.metadata.finalizers).toEqual(expect.arrayContaining([SNAPSHOT_FINALIZER.asSource, SNAPSHOT_FINALIZER.bound]));
    const content = await readContent(contentName);
    expect(content.spec).toMatchObject({
      driver: 'hostpath.csi.k8s.io',
      deletionPolicy: 'Delete',
      source: { volumeHandle: pv.spec?.csi?.volumeHandle },
      volumeSnapshotRef: { name: 'snap', namespace, uid: snapshot.metadata.uid },
    });
    expect(content.metadata.finalizers).toContain(SNAPSHOT_FINALIZER.content);
    const handle = content.status?.snapshotHandle ?? '';
    expect(content.status?.restoreSize).toBe(1024 ** 3);
    expect(await volumeDigest(cluster.node.store.snapshotPath(handle))).toBe(before);
    expect(await readFile(join(cluster.node.store.snapshotPath(handle), 'state.txt'), 'utf8')).toBe('before');

    const source = await eventually(async () => {
      const current = await cluster.api.core.readNamespacedPersistentVolumeClaim({ namespace, name: 'data' });
      return current.metadata?.finalizers?.includes(SNAPSHOT_FINALIZER.pvcAsSource) ? undefined : current;
    }, 'the PVC source-protection finalizer to be released once the snapshot is ready');
    expect(source.metadata?.uid).toBe(pvc.metadata?.uid);
  });

  it('holds readyToUse false for the configured delay while the content already has its handle', async () => {
    const namespace = await cluster.namespace();
    await volumeWithData(namespace, 'data');
    await createSnapshot(cluster.api, namespace, 'slow', 'data', { annotations: { [READY_DELAY_ANNOTATION]: String(10 * 60_000) } });
    const bound = await eventually(async () => {
      const snapshot = await readSnapshot(cluster.api, namespace, 'slow');
      return snapshot.status?.creationTime ? snapshot : undefined;
    }, 'the snapshot to be bound and cut');
    expect(bound.status?.readyToUse).toBe(false);
    const content = await readContent(bound.status?.boundVolumeSnapshotContentName ?? '');
    expect(content.status?.snapshotHandle).toBeTruthy();
    expect(content.status?.readyToUse).toBe(false);
    const pvc = await cluster.api.core.readNamespacedPersistentVolumeClaim({ namespace, name: 'data' });
    expect(pvc.metadata?.finalizers).toContain(SNAPSHOT_FINALIZER.pvcAsSource);
  });

  it('reports a missing PVC in the snapshot status and an event', async () => {
    const namespace = await cluster.namespace();
    await createSnapshot(cluster.api, namespace, 'orphan', 'missing');
    const failed = await eventually(async () => {
      const snapshot = await readSnapshot(cluster.api, namespace, 'orphan');
      return snapshot.status?.error ? snapshot : undefined;
    }, 'an error in the snapshot status');
    expect(failed.status?.readyToUse).toBe(false);
    expect(failed.status?.error?.message).toContain('Failed to create snapshot content with error failed to get input parameters to create snapshot orphan');
    expect(failed.status?.error?.message).toContain('failed to retrieve PVC missing from the lister');
    // The controller records the event after it writes the status: wait for it rather than read once.
    const events = await eventually(async () => {
      const found = await eventsFor(cluster.api, namespace, 'orphan');
      return found.some((e) => e.reason === 'SnapshotContentCreationFailed') ? found : undefined;
    }, 'a SnapshotContentCreationFailed event on the snapshot');
    expect(events.map((e) => e.reason)).toContain('SnapshotContentCreationFailed');
  });

  it('refuses PVCs whose driver cannot snapshot: no default class, or no CSI source at all', async () => {
    const namespace = await cluster.namespace();
    await cluster.api.core.createNamespacedPersistentVolumeClaim({ namespace, body: aClaim('files', { storageClass: STORAGE_CLASS.csiNoSnapshot }) });
    await cluster.api.core.createNamespacedPersistentVolumeClaim({ namespace, body: aClaim('nfs', { storageClass: STORAGE_CLASS.nfs }) });
    await boundClaim(cluster.api, namespace, 'files');
    await boundClaim(cluster.api, namespace, 'nfs');
    await createSnapshot(cluster.api, namespace, 'files-snap', 'files');
    await createSnapshot(cluster.api, namespace, 'nfs-snap', 'nfs');
    const errorOf = (name: string) =>
      eventually(async () => (await readSnapshot(cluster.api, namespace, name)).status?.error?.message, `an error on ${name}`);
    expect(await errorOf('files-snap')).toBe('Failed to set default snapshot class with error cannot find default snapshot class');
    expect(await errorOf('nfs-snap')).toContain('cannot find CSI PersistentVolumeSource for volume pvc-');
  });

  it('deletes content and data with deletionPolicy Delete, keeps both with Retain', async () => {
    const namespace = await cluster.namespace();
    await volumeWithData(namespace, 'data');
    await createSnapshot(cluster.api, namespace, 'gone', 'data');
    await createSnapshot(cluster.api, namespace, 'kept', 'data', { className: SNAPSHOT_CLASS.retain });
    const gone = await readySnapshot(cluster.api, namespace, 'gone');
    const kept = await readySnapshot(cluster.api, namespace, 'kept');
    const goneContent = await readContent(gone.status?.boundVolumeSnapshotContentName ?? '');
    const keptContent = await readContent(kept.status?.boundVolumeSnapshotContentName ?? '');
    expect(keptContent.spec.deletionPolicy).toBe('Retain');

    for (const name of ['gone', 'kept']) await cluster.api.custom.deleteNamespacedCustomObject({ ...volumeSnapshots, namespace, name });
    await eventually(() => contentGone(goneContent.metadata.name), 'the Delete content to disappear');
    await expect(stat(cluster.node.store.snapshotPath(goneContent.status?.snapshotHandle ?? ''))).rejects.toThrow(/ENOENT/);
    await eventually(
      () => cluster.api.custom.getNamespacedCustomObject({ ...volumeSnapshots, namespace, name: 'kept' }).then(() => false, (err: { code?: number }) => err.code === 404),
      'the Retain snapshot to be deleted',
    );
    const retained = await readContent(keptContent.metadata.name);
    expect(retained.metadata.annotations?.[SNAPSHOT_BEING_DELETED_ANNOTATION]).toBe('yes');
    expect((await stat(cluster.node.store.snapshotPath(retained.status?.snapshotHandle ?? ''))).isDirectory()).toBe(true);
    await cluster.api.custom.deleteClusterCustomObject({ ...volumeSnapshotContents, name: keptContent.metadata.name });
    await eventually(() => contentGone(keptContent.metadata.name), 'the retained content to be deleted by hand');
  });
});
