import type { EmulatorContext } from '../support/context.js';
import { finalizerPatch } from '../support/finalizers.js';
import { kubeTime, mergePatch, readOptional, volumeSnapshotContents, volumeSnapshots } from '../support/kube-api.js';
import { parseQuantity } from '../support/quantity.js';
import type { WorkQueue } from '../support/work-queue.js';
import { HOSTPATH_DRIVER } from '../storage/storage-classes.js';
import { READY_DELAY_ANNOTATION, SNAPSHOT_FINALIZER, type VolumeSnapshot, type VolumeSnapshotContent } from './types.js';

/**
 * Plays the csi-snapshotter sidecar and the hostpath driver behind it: for each content of the hostpath
 * driver it copies the volume (the moment of the copy is the snapshot's creationTime), reports
 * `readyToUse` once the configured delay has passed, and deletes the copy when a Delete content goes.
 * Contents of drivers without a snapshotter are left alone, so they stay unready as they would for real.
 */
export class SnapshotDriver {
  constructor(
    private readonly ctx: EmulatorContext,
    private readonly readyDelayMs: number,
    private readonly requeue: () => WorkQueue,
  ) {}

  async reconcile(name: string): Promise<void> {
    const content = (await readOptional(() => this.ctx.api.custom.getClusterCustomObject({ ...volumeSnapshotContents, name }))) as VolumeSnapshotContent | undefined;
    if (!content || content.spec.driver !== HOSTPATH_DRIVER.provisioner || !this.ctx.inScope(content.spec.volumeSnapshotRef.namespace)) return;

    if (content.metadata.deletionTimestamp) {
      const handle = content.status?.snapshotHandle;
      if (content.spec.deletionPolicy === 'Delete' && handle) await this.ctx.store.deleteSnapshot(handle);
      await this.patch(name, finalizerPatch(content, SNAPSHOT_FINALIZER.content, false));
      return;
    }
    if (await this.patch(name, finalizerPatch(content, SNAPSHOT_FINALIZER.content, true))) return;

    const status = content.status;
    if (!status?.snapshotHandle) {
      if (!status?.error) await this.takeSnapshot(content);
      return;
    }
    if (!status.readyToUse) await this.markReadyWhenDue(content);
  }

  private async takeSnapshot(content: VolumeSnapshotContent): Promise<void> {
    const name = content.metadata.name;
    const preProvisioned = content.spec.source.snapshotHandle;
    if (preProvisioned) {
      if (!(await this.ctx.store.hasSnapshot(preProvisioned))) {
        return this.setStatus(name, { readyToUse: false, error: { message: `Failed to check and update snapshot content: snapshot ${preProvisioned} not found`, time: kubeTime() } });
      }
      const restoreSize = await this.ctx.store.snapshotSize(preProvisioned);
      return this.setStatus(name, { snapshotHandle: preProvisioned, readyToUse: true, creationTime: Date.now() * 1e6, restoreSize });
    }

    const volumeHandle = content.spec.source.volumeHandle ?? '';
    if (!(await this.ctx.store.hasVolume(volumeHandle))) {
      const message = `Failed to check and update snapshot content: failed to take snapshot of the volume ${volumeHandle}: "rpc error: code = NotFound desc = source volume ${volumeHandle} not found"`;
      return this.setStatus(name, { readyToUse: false, error: { message, time: kubeTime() } });
    }
    // The id follows the content, so a snapshot retried after a crash overwrites its own partial copy.
    const snapshotHandle = `snapshot-${content.metadata.uid}`;
    const creationTime = Date.now() * 1e6;
    await this.ctx.store.snapshotVolume(volumeHandle, snapshotHandle);
    const restoreSize = await this.capacityOf(volumeHandle);
    const delay = await this.readyDelay(content);
    await this.setStatus(name, { snapshotHandle, creationTime, restoreSize, readyToUse: delay <= 0 });
    if (delay > 0) this.requeue().addAfter(name, delay);
  }

  private async markReadyWhenDue(content: VolumeSnapshotContent): Promise<void> {
    const createdMs = (content.status?.creationTime ?? 0) / 1e6;
    const remaining = createdMs + (await this.readyDelay(content)) - Date.now();
    if (remaining > 0) {
      this.requeue().addAfter(content.metadata.name, remaining);
      return;
    }
    await this.setStatus(content.metadata.name, { readyToUse: true });
  }

  /** restoreSize is the source volume's capacity, as csi-hostpath reports it. */
  private async capacityOf(volumeHandle: string): Promise<number> {
    const volumes = await this.ctx.api.core.listPersistentVolume();
    const pv = volumes.items.find((v) => v.spec?.csi?.volumeHandle === volumeHandle);
    return parseQuantity(pv?.spec?.capacity?.storage);
  }

  private async readyDelay(content: VolumeSnapshotContent): Promise<number> {
    const ref = content.spec.volumeSnapshotRef;
    if (!ref.name || !ref.namespace) return this.readyDelayMs;
    const snapshot = (await readOptional(() =>
      this.ctx.api.custom.getNamespacedCustomObject({ ...volumeSnapshots, namespace: ref.namespace as string, name: ref.name as string }),
    )) as VolumeSnapshot | undefined;
    const override = snapshot?.metadata.annotations?.[READY_DELAY_ANNOTATION];
    return override === undefined ? this.readyDelayMs : Number(override);
  }

  private async setStatus(name: string, status: NonNullable<VolumeSnapshotContent['status']>): Promise<void> {
    await this.ctx.api.custom.patchClusterCustomObjectStatus({ ...volumeSnapshotContents, name, body: { status } }, mergePatch);
  }

  private async patch(name: string, patch: object | undefined): Promise<boolean> {
    if (!patch) return false;
    await this.ctx.api.custom.patchClusterCustomObject({ ...volumeSnapshotContents, name, body: patch }, mergePatch);
    return true;
  }
}
