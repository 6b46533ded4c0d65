import { randomUUID } from 'node:crypto';
import type { V1PersistentVolume, V1PersistentVolumeClaim, V1StorageClass } from '@kubernetes/client-node';
import { INSTANCE_ANNOTATION, type EmulatorContext } from '../support/context.js';
import { createIfAbsent, readOptional, splitKey } from '../support/kube-api.js';
import { parseQuantity } from '../support/quantity.js';
import type { WorkQueue } from '../support/work-queue.js';
import { resolveDataSource } from './data-source.js';
import { driverOf, type EmulatedDriver } from './storage-classes.js';
import type { VolumeMode } from './volume-store.js';

export const PROVISIONER_FINALIZER = 'external-provisioner.volume.kubernetes.io/finalizer';
const STORAGE_PROVISIONER_ANNOTATION = 'volume.kubernetes.io/storage-provisioner';
const SELECTED_NODE_ANNOTATION = 'volume.kubernetes.io/selected-node';
/** How long a failed provisioning waits before the next attempt; the real sidecar backs off too. */
const PROVISION_RETRY_MS = 3_000;

/**
 * Plays the CSI external-provisioner (and the NFS and local static provisioners): for a PVC the PV binder
 * has handed to one of our provisioners, it creates the backing volume and a PV pre-bound to the claim.
 * The binder in kube-controller-manager then completes the binding on both sides, as in a real cluster.
 */
export class Provisioner {
  constructor(
    private readonly ctx: EmulatorContext,
    private readonly requeue: () => WorkQueue,
  ) {}

  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    if (!this.ctx.inScope(namespace)) return;
    const pvc = await readOptional(() => this.ctx.api.core.readNamespacedPersistentVolumeClaim({ namespace, name }));
    if (!pvc || pvc.metadata?.deletionTimestamp || pvc.spec?.volumeName) return;
    const className = pvc.spec?.storageClassName;
    if (!className) return;
    const storageClass = await readOptional(() => this.ctx.api.storage.readStorageClass({ name: className }));
    const driver = driverOf(storageClass?.provisioner);
    if (!storageClass || !driver || !this.isOurTurn(pvc, driver)) return;

    const pvName = `pvc-${pvc.metadata?.uid}`;
    if (await readOptional(() => this.ctx.api.core.readPersistentVolume({ name: pvName }))) return;

    const recorder = this.ctx.events('external-provisioner');
    const ref = { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace, name, uid: pvc.metadata?.uid };
    const source = await resolveDataSource(this.ctx, pvc, storageClass, driver);
    if (source.kind === 'failed') {
      await recorder.record(ref, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${className}": ${source.message}`);
      this.requeue().addAfter(key, PROVISION_RETRY_MS);
      return;
    }
    await recorder.record(ref, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${namespace}/${name}"`);

    const mode: VolumeMode = pvc.spec?.volumeMode === 'Block' ? 'Block' : 'Filesystem';
    const sizeBytes = parseQuantity(pvc.spec?.resources?.requests?.storage);
    const handle = driver.source === 'nfs' ? `${namespace}-${name}-${pvName}` : driver.source === 'local' ? `local-${pvName}` : randomUUID();
    if (source.kind === 'copy') await this.ctx.store.fillVolume(handle, source.path, mode, sizeBytes);
    else await this.ctx.store.createVolume(handle, mode, sizeBytes);

    await createIfAbsent(() => this.ctx.api.core.createPersistentVolume({ body: this.persistentVolume(pvc, pvName, storageClass, driver, handle, mode) }));
    await recorder.record(ref, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${pvName}`);
  }

  /**
   * The binder annotates claims it leaves to an external provisioner; for WaitForFirstConsumer classes
   * it does so only once the scheduler picked a node. Local static volumes have no such hand-off: they
   * are created once a node is selected, with affinity to it.
   */
  private isOurTurn(pvc: V1PersistentVolumeClaim, driver: EmulatedDriver): boolean {
    const annotations = pvc.metadata?.annotations ?? {};
    if (driver.source === 'local') return this.ctx.nodeNames.includes(annotations[SELECTED_NODE_ANNOTATION] ?? '');
    return annotations[STORAGE_PROVISIONER_ANNOTATION] === driver.provisioner;
  }

  private persistentVolume(
    pvc: V1PersistentVolumeClaim,
    pvName: string,
    storageClass: V1StorageClass,
    driver: EmulatedDriver,
    handle: string,
    mode: VolumeMode,
  ): V1PersistentVolume {
    const reclaimPolicy = storageClass.reclaimPolicy ?? 'Delete';
    const dynamic = driver.source !== 'local';
    const selectedNode = pvc.metadata?.annotations?.[SELECTED_NODE_ANNOTATION];
    return {
      metadata: {
        name: pvName,
        annotations: {
          [INSTANCE_ANNOTATION]: this.ctx.instanceId,
          ...(dynamic ? { 'pv.kubernetes.io/provisioned-by': driver.provisioner } : {}),
        },
        // The CSI provisioner guards Delete volumes so the PV object cannot vanish before the backend volume.
        finalizers: dynamic && driver.source === 'csi' && reclaimPolicy === 'Delete' ? [PROVISIONER_FINALIZER] : [],
      },
      spec: {
        capacity: { storage: pvc.spec?.resources?.requests?.storage ?? '1Gi' },
        accessModes: pvc.spec?.accessModes ?? ['ReadWriteOnce'],
        volumeMode: mode,
        persistentVolumeReclaimPolicy: reclaimPolicy,
        storageClassName: storageClass.metadata?.name,
        mountOptions: storageClass.mountOptions,
        claimRef: {
          kind: 'PersistentVolumeClaim',
          apiVersion: 'v1',
          namespace: pvc.metadata?.namespace,
          name: pvc.metadata?.name,
          uid: pvc.metadata?.uid,
          resourceVersion: pvc.metadata?.resourceVersion,
        },
        ...this.volumeSource(driver, handle, storageClass, mode),
        ...(driver.source === 'local' && selectedNode
          ? {
              nodeAffinity: {
                required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [selectedNode] }] }] },
              },
            }
          : {}),
      },
    };
  }

  private volumeSource(driver: EmulatedDriver, handle: string, storageClass: V1StorageClass, mode: VolumeMode): Partial<V1PersistentVolume['spec']> {
    if (driver.source === 'nfs') return { nfs: { server: '127.0.0.1', path: `/exports/${handle}` } };
    if (driver.source === 'local') return { local: { path: this.ctx.store.volumePath(handle) } };
    return {
      csi: {
        driver: driver.provisioner,
        volumeHandle: handle,
        ...(mode === 'Filesystem' ? { fsType: 'ext4' } : {}),
        volumeAttributes: { ...storageClass.parameters, 'storage.kubernetes.io/csiProvisionerIdentity': `${this.ctx.instanceId}-${driver.provisioner}` },
      },
    };
  }
}
