import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { volumeDigest } from '../fixtures/volume-digest.js';
import { writeKnownBlock, writeKnownData } from '../fixtures/volume-data.js';
import { STORAGE_CLASS } from './storage/storage-classes.js';
import { eventually, startEmulatedCluster, type EmulatedCluster } from './helpers/cluster.js';
import { aClaim, boundClaim, createSnapshot, eventsFor, readySnapshot } from './helpers/objects.js';

describe('restore from snapshots', () => {
  let cluster: EmulatedCluster;
  beforeAll(async () => {
    cluster = await startEmulatedCluster();
  });
  afterAll(async () => cluster?.stop());

  async function pvOf(namespace: string, claim: string) {
    const pvc = await boundClaim(cluster.api, namespace, claim);
    return cluster.api.core.readPersistentVolume({ name: pvc.spec?.volumeName ?? '' });
  }

  it('fills a new volume of another class of the same driver with the snapshot, byte for byte', async () => {
    const namespace = await cluster.namespace();
    await cluster.api.core.createNamespacedPersistentVolumeClaim({ namespace, body: aClaim('data') });
    const source = cluster.node.volumePath(await pvOf(namespace, 'data'));
    await writeKnownData(source, 'restore', { largeFileMiB: 4, smallFiles: 200 });
    const digest = await volumeDigest(source);
    await createSnapshot(cluster.api, namespace, 'snap', 'data');
    await readySnapshot(cluster.api, namespace, 'snap');

    // An Immediate class of the same driver and a WaitForFirstConsumer one (storage-class mapping).
    await cluster.api.core.createNamespacedPersistentVolumeClaim({ namespace, body: aClaim('copy', { fromSnapshot: 'snap' }) });
    const restored = await pvOf(namespace, 'copy');
    expect(await volumeDigest(cluster.node.volumePath(restored))).toBe(digest);
    expect(restored.spec?.csi?.volumeHandle).not.toBe((await pvOf(namespace, 'data')).spec?.csi?.volumeHandle);
  });

  it('restores Block volumes', async () => {
    const namespace = await cluster.namespace();
    await cluster.api.core.createNamespacedPersistentVolumeClaim({ namespace, body: aClaim('raw', { block: true, size: '16Mi' }) });
    const source = cluster.node.volumePath(await pvOf(namespace, 'raw'));
    await writeKnownBlock(source, 'block');
    await createSnapshot(cluster.api, namespace, 'raw-snap', 'raw');
    await readySnapshot(cluster.api, namespace, 'raw-snap');
    await cluster.api.core.createNamespacedPersistentVolumeClaim({ namespace, body: aClaim('raw-copy', { block: true, size: '16Mi', fromSnapshot: 'raw-snap' }) });
    expect(await volumeDigest(cluster.node.volumePath(await pvOf(namespace, 'raw-copy')))).toBe(await volumeDigest(source));
  });

  it('leaves a claim of another driver Pending with a ProvisioningFailed event', async () => {
    const namespace = await cluster.namespace();
    await cluster.api.core.createNamespacedPersistentVolumeClaim({ namespace, body: aClaim('data') });
    await pvOf(namespace, 'data');
    await createSnapshot(cluster.api, namespace, 'snap', 'data');
    await readySnapshot(cluster.api, namespace, 'snap');
    await cluster.api.core.createNamespacedPersistentVolumeClaim({ namespace, body: aClaim('elsewhere', { storageClass: STORAGE_CLASS.csiNoSnapshot, fromSnapshot: 'snap' }) });
    const event = await eventually(async () => (await eventsFor(cluster.api, namespace, 'elsewhere')).find((e) => e.reason === 'ProvisioningFailed'), 'a ProvisioningFailed event');
    expect(event.type).toBe('Warning');
    expect(event.message).toBe(
      `failed to provision volume with StorageClass "${STORAGE_CLASS.csiNoSnapshot}": error getting handle for DataSource Type VolumeSnapshot by Name snap: driver files.csi.haven.test does not support restoring volumes from snapshots`,
    );
    const pvc = await cluster.api.core.readNamespacedPersistentVolumeClaim({ namespace, name: 'elsewhere' });
    expect(pvc.status?.phase).toBe('Pending');
  });

  it('waits for a snapshot that is not ready, then restores', async () => {
    const namespace = await cluster.namespace();
    await cluster.api.core.createNamespacedPersistentVolumeClaim({ namespace, body: aClaim('later', { fromSnapshot: 'not-yet' }) });
    const event = await eventually(async () => (await eventsFor(cluster.api, namespace, 'later')).find((e) => e.reason === 'ProvisioningFailed'), 'a ProvisioningFailed event');
    expect(event.message).toContain('error getting snapshot not-yet from api server: volumesnapshots.snapshot.storage.k8s.io "not-yet" not found');
    await cluster.api.core.createNamespacedPersistentVolumeClaim({ namespace, body: aClaim('data') });
    await pvOf(namespace, 'data');
    await createSnapshot(cluster.api, namespace, 'not-yet', 'data');
    await pvOf(namespace, 'later');
  });
});
