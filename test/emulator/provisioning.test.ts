import { stat } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVISIONER_FINALIZER } from './storage/provisioner.js';
import { STORAGE_CLASS } from './storage/storage-classes.js';
import { eventually, startEmulatedCluster, type EmulatedCluster } from './helpers/cluster.js';
import { aClaim, boundClaim } from './helpers/objects.js';

describe('provisioning on a real API server', () => {
  let cluster: EmulatedCluster;
  beforeAll(async () => {
    cluster = await startEmulatedCluster();
  });
  afterAll(async () => cluster?.stop());

  it('binds a CSI claim to a PV backed by a local directory, with the annotations of the external provisioner', async () => {
    const namespace = await cluster.namespace();
    await cluster.api.core.createNamespacedPersistentVolumeClaim({ namespace, body: aClaim('data', { size: '2Gi' }) });
    const pvc = await boundClaim(cluster.api, namespace, 'data');
    expect(pvc.metadata?.annotations?.['volume.kubernetes.io/storage-provisioner']).toBe('hostpath.csi.k8s.io');
    expect(pvc.metadata?.annotations?.['pv.kubernetes.io/bind-completed']).toBe('yes');

    const pv = await cluster.api.core.readPersistentVolume({ name: pvc.spec?.volumeName ?? '' });
    expect(pv.metadata?.name).toBe(`pvc-${pvc.metadata?.uid}`);
    expect(pv.status?.phase).toBe('Bound');
    expect(pv.metadata?.annotations?.['pv.kubernetes.io/provisioned-by']).toBe('hostpath.csi.k8s.io');
    expect(pv.metadata?.finalizers).toContain(PROVISIONER_FINALIZER);
    expect(pv.spec).toMatchObject({
      capacity: { storage: '2Gi' },
      accessModes: ['ReadWriteOnce'],
      volumeMode: 'Filesystem',
      persistentVolumeReclaimPolicy: 'Delete',
      storageClassName: STORAGE_CLASS.csi,
      csi: { driver: 'hostpath.csi.k8s.io', fsType: 'ext4' },
    });
    expect((await stat(cluster.node.volumePath(pv))).isDirectory()).toBe(true);
  });

  it('backs a Block claim with one file of the requested size', async () => {
    const namespace = await cluster.namespace();
    await cluster.api.core.createNamespacedPersistentVolumeClaim({ namespace, body: aClaim('raw', { size: '64Mi', block: true }) });
    const pvc = await boundClaim(cluster.api, namespace, 'raw');
    const pv = await cluster.api.core.readPersistentVolume({ name: pvc.spec?.volumeName ?? '' });
    expect(pv.spec?.volumeMode).toBe('Block');
    const file = await stat(cluster.node.volumePath(pv));
    expect(file.isFile()).toBe(true);
    expect(file.size).toBe(64 * 1024 * 1024);
  });

  it('provisions NFS-style volumes with an nfs source', async () => {
    const namespace = await cluster.namespace();
    await cluster.api.core.createNamespacedPersistentVolumeClaim({ namespace, body: { ...aClaim('shared', { storageClass: STORAGE_CLASS.nfs }), spec: { ...aClaim('shared').spec, storageClassName: STORAGE_CLASS.nfs, accessModes: ['ReadWriteMany'] } } });
    const pvc = await boundClaim(cluster.api, namespace, 'shared');
    const pv = await cluster.api.core.readPersistentVolume({ name: pvc.spec?.volumeName ?? '' });
    expect(pv.spec?.nfs).toEqual({ server: '127.0.0.1', path: `/exports/${namespace}-shared-${pv.metadata?.name}` });
    expect(pv.spec?.accessModes).toEqual(['ReadWriteMany']);
    expect(pv.spec?.csi).toBeUndefined();
  });

  it('deletes the volume and the PV when a Delete claim goes', async () => {
    const namespace = await cluster.namespace();
    await cluster.api.core.createNamespacedPersistentVolumeClaim({ namespace, body: aClaim('temp') });
    const pvc = await boundClaim(cluster.api, namespace, 'temp');
    const pv = await cluster.api.core.readPersistentVolume({ name: pvc.spec?.volumeName ?? '' });
    const path = cluster.node.volumePath(pv);
    await cluster.api.core.deleteNamespacedPersistentVolumeClaim({ namespace, name: 'temp' });
    await eventually(
      () => cluster.api.core.readPersistentVolume({ name: pv.metadata?.name ?? '' }).then(() => false, (err: { code?: number }) => err.code === 404),
      'the PV to be deleted',
    );
    await expect(stat(path)).rejects.toThrow(/ENOENT/);
  });

  it('keeps the volume and a Released PV when the class says Retain', async () => {
    const namespace = await cluster.namespace();
    // This class binds on first consumer: the claim stays Pending until a pod uses it.
    await cluster.api.core.createNamespacedPersistentVolumeClaim({ namespace, body: aClaim('kept', { storageClass: STORAGE_CLASS.csiRetain }) });
    await cluster.api.core.createNamespacedPod({
      namespace,
      body: { metadata: { name: 'consumer' }, spec: { containers: [{ name: 'app', image: 'busybox', volumeMounts: [{ name: 'd', mountPath: '/d' }] }], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'kept' } }] } },
    });
    const pvc = await boundClaim(cluster.api, namespace, 'kept');
    expect(pvc.metadata?.annotations?.['volume.kubernetes.io/selected-node']).toBe(cluster.node.nodeNames[0]);
    const pv = await cluster.api.core.readPersistentVolume({ name: pvc.spec?.volumeName ?? '' });
    expect(pv.spec?.csi?.volumeAttributes?.tier).toBe('fast');
    await cluster.api.core.deleteNamespacedPod({ namespace, name: 'consumer' });
    await cluster.api.core.deleteNamespacedPersistentVolumeClaim({ namespace, name: 'kept' });
    const released = await eventually(async () => {
      const current = await cluster.api.core.readPersistentVolume({ name: pv.metadata?.name ?? '' });
      return current.status?.phase === 'Released' ? current : undefined;
    }, 'the PV to be Released');
    expect(released.spec?.persistentVolumeReclaimPolicy).toBe('Retain');
    expect((await stat(cluster.node.volumePath(pv))).isDirectory()).toBe(true);
    await cluster.api.core.deletePersistentVolume({ name: pv.metadata?.name ?? '' });
  });

  it('creates local volumes with node affinity once the scheduler picks a node', async () => {
    const namespace = await cluster.namespace();
    await cluster.api.core.createNamespacedPersistentVolumeClaim({ namespace, body: aClaim('local', { storageClass: STORAGE_CLASS.local }) });
    await cluster.api.core.createNamespacedPod({
      namespace,
      body: { metadata: { name: 'user' }, spec: { containers: [{ name: 'app', image: 'busybox', volumeMounts: [{ name: 'd', mountPath: '/d' }] }], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'local' } }] } },
    });
    const pvc = await boundClaim(cluster.api, namespace, 'local');
    const pv = await cluster.api.core.readPersistentVolume({ name: pvc.spec?.volumeName ?? '' });
    expect(pv.spec?.local?.path).toBe(cluster.node.volumePath(pv));
    expect(pv.spec?.nodeAffinity?.required?.nodeSelectorTerms?.[0]?.matchExpressions?.[0]).toEqual({ key: 'kubernetes.io/hostname', operator: 'In', values: [cluster.node.nodeNames[0]] });
    expect(pv.metadata?.annotations?.['pv.kubernetes.io/provisioned-by']).toBeUndefined();
  });
});
