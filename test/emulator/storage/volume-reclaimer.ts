import { INSTANCE_ANNOTATION, type EmulatorContext } from '../support/context.js';
import { finalizerPatch, hasFinalizer } from '../support/finalizers.js';
import { mergePatch, readOptional } from '../support/kube-api.js';
import { PROVISIONER_FINALIZER } from './provisioner.js';
import { volumeHandleOf } from './volume-store.js';

/**
 * Honours the reclaim policy of the PVs this emulator provisioned. With Delete, a Released PV (its claim
 * is gone) loses its backing volume and then its object, as the external provisioner does; local
 * volumes, which the binder cannot delete itself and marks Failed, are cleaned the same way. Retain keeps
 * both the volume and the Released PV.
 */
export class VolumeReclaimer {
  constructor(private readonly ctx: EmulatorContext) {}

  async reconcile(name: string): Promise<void> {
    const pv = await readOptional(() => this.ctx.api.core.readPersistentVolume({ name }));
    if (!pv || pv.metadata?.annotations?.[INSTANCE_ANNOTATION] !== this.ctx.instanceId) return;
    const deleting = pv.spec?.persistentVolumeReclaimPolicy === 'Delete';
    const handle = volumeHandleOf(pv);

    if (pv.metadata?.deletionTimestamp) {
      if (deleting && handle) await this.ctx.store.deleteVolume(handle);
      const patch = finalizerPatch(pv, PROVISIONER_FINALIZER, false);
      if (patch) await this.ctx.api.core.patchPersistentVolume({ name, body: patch }, mergePatch);
      return;
    }
    const phase = pv.status?.phase;
    if (!deleting || (phase !== 'Released' && !(phase === 'Failed' && pv.spec?.local))) return;
    if (handle) await this.ctx.store.deleteVolume(handle);
    await readOptional(() => this.ctx.api.core.deletePersistentVolume({ name }));
    if (hasFinalizer(pv, PROVISIONER_FINALIZER)) {
      const current = await readOptional(() => this.ctx.api.core.readPersistentVolume({ name }));
      const patch = current && finalizerPatch(current, PROVISIONER_FINALIZER, false);
      if (patch) await this.ctx.api.core.patchPersistentVolume({ name, body: patch }, mergePatch);
    }
  }
}
