import type { V1PersistentVolumeClaim } from '@kubernetes/client-node';
import type { EmulatorContext } from '../support/context.js';
import { finalizerPatch } from '../support/finalizers.js';
import { isAlreadyExists, kubeTime, mergePatch, readOptional, splitKey, volumeSnapshotClasses, volumeSnapshotContents, volumeSnapshots } from '../support/kube-api.js';
import { formatQuantity } from '../support/quantity.js';
import type { WorkQueue } from '../support/work-queue.js';
import {
  DEFAULT_SNAPSHOT_CLASS_ANNOTATION,
  SNAPSHOT_BEING_DELETED_ANNOTATION,
  SNAPSHOT_FINALIZER,
  dynamicContentName,
  type VolumeSnapshot,
  type VolumeSnapshotClass,
  type VolumeSnapshotContent,
} from './types.js';

/** Failed inputs are retried at this pace, so a PVC created after its snapshot is still picked up. */
const INPUT_RETRY_MS = 2_000;

class SnapshotInputError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Plays the common snapshot controller: binds each VolumeSnapshot to a VolumeSnapshotContent
 * (`snapcontent-<uid>` for dynamic ones), keeps the finalizers the real controller keeps, mirrors the
 * content's status into the snapshot, and applies the deletion policy when a snapshot is deleted.
 */
export class SnapshotController {
  constructor(
    private readonly ctx: EmulatorContext,
    private readonly requeue: () => WorkQueue,
  ) {}

  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    if (!this.ctx.inScope(namespace)) return;
    const snapshot = await this.read(namespace, name);
    if (!snapshot) return;
    if (snapshot.metadata.deletionTimestamp) return this.finishDeletion(snapshot);
    if (await this.patchSnapshot(snapshot, finalizerPatch(snapshot, SNAPSHOT_FINALIZER.asSource, true))) return;

    let content: VolumeSnapshotContent | undefined;
    try {
      content = snapshot.spec.source.volumeSnapshotContentName ? await this.preProvisionedContent(snapshot) : await this.dynamicContent(snapshot);
    } catch (err) {
      if (!(err instanceof SnapshotInputError)) throw err;
      await this.reportError(snapshot, err.reason, err.message);
      this.requeue().addAfter(key, INPUT_RETRY_MS);
      return;
    }
    if (!content) return;
    if (await this.patchSnapshot(snapshot, finalizerPatch(snapshot, SNAPSHOT_FINALIZER.bound, true))) return;
    await this.mirrorStatus(snapshot, content);
    const pvcName = snapshot.spec.source.persistentVolumeClaimName;
    if (content.status?.readyToUse && pvcName) await this.releaseSourcePvc(namespace, pvcName);
  }

  private async dynamicContent(snapshot: VolumeSnapshot): Promise<VolumeSnapshotContent | undefined> {
    const contentName = dynamicContentName(snapshot);
    const existing = await this.readContent(contentName);
    if (existing) return existing;

    const { namespace, name } = snapshot.metadata;
    const pvcName = snapshot.spec.source.persistentVolumeClaimName ?? '';
    const inputFailure = (detail: string) =>
      new SnapshotInputError('SnapshotContentCreationFailed', `Failed to create snapshot content with error failed to get input parameters to create snapshot ${name}: "${detail}"`);
    const pvc = await readOptional(() => this.ctx.api.core.readNamespacedPersistentVolumeClaim({ namespace, name: pvcName }));
    if (!pvc) throw inputFailure(`failed to retrieve PVC ${pvcName} from the lister: \\"persistentvolumeclaim \\\\\\"${pvcName}\\\\\\" not found\\"`);
    if (!pvc.spec?.volumeName || pvc.status?.phase !== 'Bound') throw inputFailure(`the PVC ${pvcName} is not yet bound to a PV, will not attempt to take a snapshot`);
    const pv = await this.ctx.api.core.readPersistentVolume({ name: pvc.spec.volumeName });
    if (!pv.spec?.csi) throw inputFailure(`cannot find CSI PersistentVolumeSource for volume ${pv.metadata?.name}`);

    const snapshotClass = await this.snapshotClassFor(snapshot, pv.spec.csi.driver);
    await this.addPvcFinalizer(pvc);
    const body: VolumeSnapshotContent & { apiVersion: string; kind: string } = {
      apiVersion: 'snapshot.storage.k8s.io/v1',
      kind: 'VolumeSnapshotContent',
      metadata: { name: contentName, uid: '' },
      spec: {
        volumeSnapshotRef: { kind: 'VolumeSnapshot', apiVersion: 'snapshot.storage.k8s.io/v1', name, namespace, uid: snapshot.metadata.uid },
        source: { volumeHandle: pv.spec.csi.volumeHandle },
        volumeSnapshotClassName: snapshotClass.metadata.name,
        deletionPolicy: snapshotClass.deletionPolicy,
        driver: snapshotClass.driver,
        sourceVolumeMode: pv.spec.volumeMode ?? 'Filesystem',
      },
    };
    delete (body.metadata as { uid?: string }).uid;
    try {
      return (await this.ctx.api.custom.createClusterCustomObject({ ...volumeSnapshotContents, body })) as VolumeSnapshotContent;
    } catch (err) {
      if (isAlreadyExists(err)) return this.readContent(contentName);
      throw err;
    }
  }

  /** The class named by the snapshot or, as the real controller does, the driver's default written into the spec. */
  private async snapshotClassFor(snapshot: VolumeSnapshot, driver: string): Promise<VolumeSnapshotClass> {
    const className = snapshot.spec.volumeSnapshotClassName;
    if (className) {
      const found = (await readOptional(() => this.ctx.api.custom.getClusterCustomObject({ ...volumeSnapshotClasses, name: className }))) as VolumeSnapshotClass | undefined;
      if (!found) {
        throw new SnapshotInputError(
          'SnapshotContentCreationFailed',
          `Failed to create snapshot content with error failed to get input parameters to create snapshot ${snapshot.metadata.name}: "volumesnapshotclass.snapshot.storage.k8s.io \\"${className}\\" not found"`,
        );
      }
      return found;
    }
    const listed = (await this.ctx.api.custom.listClusterCustomObject({ ...volumeSnapshotClasses })) as { items: VolumeSnapshotClass[] };
    const defaults = listed.items.filter((c) => c.driver === driver && c.metadata.annotations?.[DEFAULT_SNAPSHOT_CLASS_ANNOTATION] === 'true');
    if (defaults.length !== 1) {
      const why = defaults.length === 0 ? 'cannot find default snapshot class' : `${defaults.length} default snapshot classes were found`;
      throw new SnapshotInputError('SetDefaultSnapshotClassFailed', `Failed to set default snapshot class with error ${why}`);
    }
    const chosen = defaults[0] as VolumeSnapshotClass;
    await this.ctx.api.custom.patchNamespacedCustomObject(
      { ...volumeSnapshots, namespace: snapshot.metadata.namespace, name: snapshot.metadata.name, body: { spec: { volumeSnapshotClassName: chosen.metadata.name } } },
      mergePatch,
    );
    return chosen;
  }

  private async preProvisionedContent(snapshot: VolumeSnapshot): Promise<VolumeSnapshotContent | undefined> {
    const contentName = snapshot.spec.source.volumeSnapshotContentName ?? '';
    const content = await this.readContent(contentName);
    const ref = content?.spec.volumeSnapshotRef;
    if (!content || ref?.name !== snapshot.metadata.name || ref?.namespace !== snapshot.metadata.namespace) {
      throw new SnapshotInputError('SnapshotContentMissing', `VolumeSnapshotContent ${contentName} is missing or not bound to this snapshot`);
    }
    if (ref.uid && ref.uid !== snapshot.metadata.uid) {
      throw new SnapshotInputError('SnapshotContentMisbound', `VolumeSnapshotContent ${contentName} is bound to another snapshot with the same name`);
    }
    if (!ref.uid) {
      // Completes the binding in the content, which the real controller does for pre-provisioned snapshots.
      await this.ctx.api.custom.patchClusterCustomObject(
        { ...volumeSnapshotContents, name: contentName, body: { spec: { volumeSnapshotRef: { uid: snapshot.metadata.uid } } } },
        mergePatch,
      );
      return this.readContent(contentName);
    }
    return content;
  }

  private async mirrorStatus(snapshot: VolumeSnapshot, content: VolumeSnapshotContent): Promise<void> {
    const status = content.status;
    const next: NonNullable<VolumeSnapshot['status']> = {
      boundVolumeSnapshotContentName: content.metadata.name,
      readyToUse: status?.readyToUse ?? false,
      ...(status?.creationTime ? { creationTime: kubeTime(new Date(Math.floor(status.creationTime / 1e6))) } : {}),
      ...(status?.restoreSize !== undefined ? { restoreSize: formatQuantity(status.restoreSize) } : {}),
    };
    const current = snapshot.status ?? {};
    const unchanged =
      current.boundVolumeSnapshotContentName === next.boundVolumeSnapshotContentName &&
      current.readyToUse === next.readyToUse &&
      current.creationTime === next.creationTime &&
      current.restoreSize === next.restoreSize &&
      current.error?.message === status?.error?.message;
    if (unchanged) return;
    await this.ctx.api.custom.patchNamespacedCustomObjectStatus(
      {
        ...volumeSnapshots,
        namespace: snapshot.metadata.namespace,
        name: snapshot.metadata.name,
        body: { status: { ...next, error: status?.error ?? null } },
      },
      mergePatch,
    );
  }

  private async reportError(snapshot: VolumeSnapshot, reason: string, message: string): Promise<void> {
    if (snapshot.status?.error?.message === message) return;
    await this.ctx.api.custom.patchNamespacedCustomObjectStatus(
      {
        ...volumeSnapshots,
        namespace: snapshot.metadata.namespace,
        name: snapshot.metadata.name,
        body: { status: { readyToUse: false, error: { message, time: kubeTime() } } },
      },
      mergePatch,
    );
    await this.ctx.events('snapshot-controller').record(snapshotRef(snapshot), 'Warning', reason, message);
  }

  /** Deleting a snapshot: honour the content's deletion policy, unless a PVC is still being restored from it. */
  private async finishDeletion(snapshot: VolumeSnapshot): Promise<void> {
    const { namespace, name } = snapshot.metadata;
    const contentName = snapshot.status?.boundVolumeSnapshotContentName ?? (snapshot.spec.source.persistentVolumeClaimName ? dynamicContentName(snapshot) : undefined);
    const content = contentName ? await this.readContent(contentName) : undefined;
    const boundToUs = content && content.spec.volumeSnapshotRef.name === name && content.spec.volumeSnapshotRef.namespace === namespace;
    if (boundToUs && (await this.isRestoreSource(snapshot))) {
      await this.ctx.events('snapshot-controller').record(snapshotRef(snapshot), 'Warning', 'SnapshotDeletePending', 'Snapshot is being used to restore a PVC');
      this.requeue().addAfter(`${namespace}/${name}`, INPUT_RETRY_MS);
      return;
    }
    if (content && boundToUs) {
      if (content.metadata.annotations?.[SNAPSHOT_BEING_DELETED_ANNOTATION] !== 'yes') {
        await this.ctx.api.custom.patchClusterCustomObject(
          { ...volumeSnapshotContents, name: content.metadata.name, body: { metadata: { annotations: { [SNAPSHOT_BEING_DELETED_ANNOTATION]: 'yes' } } } },
          mergePatch,
        );
      }
      if (content.spec.deletionPolicy === 'Delete' && !content.metadata.deletionTimestamp) {
        await readOptional(() => this.ctx.api.custom.deleteClusterCustomObject({ ...volumeSnapshotContents, name: content.metadata.name }));
      }
    }
    const pvcName = snapshot.spec.source.persistentVolumeClaimName;
    if (pvcName) await this.releaseSourcePvc(namespace, pvcName, name);
    const remaining = (snapshot.metadata.finalizers ?? []).filter((f) => f !== SNAPSHOT_FINALIZER.asSource && f !== SNAPSHOT_FINALIZER.bound);
    if (remaining.length !== (snapshot.metadata.finalizers ?? []).length) {
      await this.patchSnapshot(snapshot, { metadata: { finalizers: remaining, resourceVersion: snapshot.metadata.resourceVersion } });
    }
  }

  private async isRestoreSource(snapshot: VolumeSnapshot): Promise<boolean> {
    const claims = await this.ctx.api.core.listNamespacedPersistentVolumeClaim({ namespace: snapshot.metadata.namespace });
    return claims.items.some((pvc) => {
      const source = pvc.spec?.dataSourceRef ?? pvc.spec?.dataSource;
      return source?.kind === 'VolumeSnapshot' && source.name === snapshot.metadata.name && pvc.status?.phase === 'Pending' && !pvc.metadata?.deletionTimestamp;
    });
  }

  private async addPvcFinalizer(pvc: V1PersistentVolumeClaim): Promise<void> {
    const patch = finalizerPatch(pvc, SNAPSHOT_FINALIZER.pvcAsSource, true);
    if (patch) await this.ctx.api.core.patchNamespacedPersistentVolumeClaim({ namespace: pvc.metadata?.namespace ?? '', name: pvc.metadata?.name ?? '', body: patch }, mergePatch);
  }

  /** The PVC stays protected while any snapshot of it is still being taken. */
  private async releaseSourcePvc(namespace: string, pvcName: string, deletedSnapshot?: string): Promise<void> {
    const pvc = await readOptional(() => this.ctx.api.core.readNamespacedPersistentVolumeClaim({ namespace, name: pvcName }));
    if (!pvc) return;
    const patch = finalizerPatch(pvc, SNAPSHOT_FINALIZER.pvcAsSource, false);
    if (!patch) return;
    const listed = (await this.ctx.api.custom.listNamespacedCustomObject({ ...volumeSnapshots, namespace })) as { items: VolumeSnapshot[] };
    const inProgress = listed.items.some(
      (s) => s.metadata.name !== deletedSnapshot && s.spec.source.persistentVolumeClaimName === pvcName && !s.status?.readyToUse && !s.metadata.deletionTimestamp,
    );
    if (!inProgress) await this.ctx.api.core.patchNamespacedPersistentVolumeClaim({ namespace, name: pvcName, body: patch }, mergePatch);
  }

  /** Applies a metadata patch; true when something changed (the resulting watch event continues the work). */
  private async patchSnapshot(snapshot: VolumeSnapshot, patch: object | undefined): Promise<boolean> {
    if (!patch) return false;
    await this.ctx.api.custom.patchNamespacedCustomObject(
      { ...volumeSnapshots, namespace: snapshot.metadata.namespace, name: snapshot.metadata.name, body: patch },
      mergePatch,
    );
    return true;
  }

  private async read(namespace: string, name: string): Promise<VolumeSnapshot | undefined> {
    return (await readOptional(() => this.ctx.api.custom.getNamespacedCustomObject({ ...volumeSnapshots, namespace, name }))) as VolumeSnapshot | undefined;
  }

  private async readContent(name: string): Promise<VolumeSnapshotContent | undefined> {
    return (await readOptional(() => this.ctx.api.custom.getClusterCustomObject({ ...volumeSnapshotContents, name }))) as VolumeSnapshotContent | undefined;
  }
}

function snapshotRef(snapshot: VolumeSnapshot) {
  return {
    kind: 'VolumeSnapshot',
    apiVersion: 'snapshot.storage.k8s.io/v1',
    namespace: snapshot.metadata.namespace,
    name: snapshot.metadata.name,
    uid: snapshot.metadata.uid,
  };
}
