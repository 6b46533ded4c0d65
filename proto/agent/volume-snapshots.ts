import { Type, type Static } from '@sinclair/typebox';
import { versionDecoder, versionedCodec } from './codec.js';

/** Labels Haven puts on the VolumeSnapshots it creates, so a run's snapshots can be found and cleaned up. */
export const SNAPSHOT_LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  job: 'backup.haven.io/job',
  definition: 'backup.haven.io/definition',
} as const;

/**
 * Annotation Haven puts on a VolumeSnapshotContent it switched to Retain: the policy it had before. Its
 * presence is what lets a cleanup delete the data of a snapshot Haven retained, and only those.
 */
export const RETAINED_FROM_ANNOTATION = 'backup.haven.io/retained-from-deletion-policy';

/** Control plane -> agent: create a CSI VolumeSnapshot (v1) of one claim. Idempotent for the same name and job. */
export const CreateVolumeSnapshotRequestV1 = Type.Object({
  version: Type.Literal(1),
  jobId: Type.String(),
  definitionId: Type.String(),
  namespace: Type.String(),
  claim: Type.String(),
  snapshotClass: Type.String(),
});
export type CreateVolumeSnapshotRequest = Static<typeof CreateVolumeSnapshotRequestV1>;

export const CreateVolumeSnapshotResultV1 = Type.Object({
  version: Type.Literal(1),
  namespace: Type.String(),
  snapshotName: Type.String(),
});
export type CreateVolumeSnapshotResult = Static<typeof CreateVolumeSnapshotResultV1>;

/**
 * Control plane -> agent: wait for a snapshot to be CUT (the point in time is taken: post-hooks may run)
 * or READY (readyToUse: the snapshot can be restored from), for at most `timeoutSeconds`.
 */
export const AwaitVolumeSnapshotRequestV1 = Type.Object({
  version: Type.Literal(1),
  namespace: Type.String(),
  snapshotName: Type.String(),
  until: Type.Union([Type.Literal('CUT'), Type.Literal('READY')]),
  timeoutSeconds: Type.Number({ minimum: 0 }),
  /**
   * The snapshot will be kept as (part of) a recovery point: once READY, its bound content is switched to
   * deletionPolicy Retain, so deleting the claim's namespace does not delete the data. Absent: false.
   */
  retainContent: Type.Optional(Type.Boolean()),
});
export type AwaitVolumeSnapshotRequest = Static<typeof AwaitVolumeSnapshotRequestV1>;

/** Agent -> control plane: where the snapshot got to. A timeout or an error is an answer, not a failed activity. */
export const VolumeSnapshotStateV1 = Type.Object({
  version: Type.Literal(1),
  outcome: Type.Union([Type.Literal('CUT'), Type.Literal('READY'), Type.Literal('ERROR'), Type.Literal('TIMED_OUT'), Type.Literal('MISSING')]),
  /** For ERROR, TIMED_OUT and MISSING: what a person should read. */
  reason: Type.Optional(Type.String()),
  contentName: Type.Optional(Type.String()),
  snapshotHandle: Type.Optional(Type.String()),
  restoreSizeBytes: Type.Optional(Type.Integer({ minimum: 0 })),
  creationTime: Type.Optional(Type.String()),
  /** The bound content's CSI driver (`spec.driver`): what a restore or an expiry talks to. */
  driver: Type.Optional(Type.String()),
  /** Set once the content was retained: its deletion policy before Haven switched it, to delete the data at expiry. */
  originalDeletionPolicy: Type.Optional(Type.String()),
});
export type VolumeSnapshotState = Static<typeof VolumeSnapshotStateV1>;

/** Control plane -> agent: delete a snapshot this run created (a failed PV, or cleanup after failure or cancel). */
export const DeleteVolumeSnapshotRequestV1 = Type.Object({
  version: Type.Literal(1),
  namespace: Type.String(),
  snapshotName: Type.String(),
  /** The bound content, when known: deleted too if Haven retained it, even when the snapshot is already gone. */
  contentName: Type.Optional(Type.String()),
});
export type DeleteVolumeSnapshotRequest = Static<typeof DeleteVolumeSnapshotRequestV1>;

export const createVolumeSnapshotRequestCodec = versionedCodec<CreateVolumeSnapshotRequest>('create-volume-snapshot request', {
  1: versionDecoder(CreateVolumeSnapshotRequestV1, (value) => value),
});
export const createVolumeSnapshotResultCodec = versionedCodec<CreateVolumeSnapshotResult>('create-volume-snapshot result', {
  1: versionDecoder(CreateVolumeSnapshotResultV1, (value) => value),
});
export const awaitVolumeSnapshotRequestCodec = versionedCodec<AwaitVolumeSnapshotRequest>('await-volume-snapshot request', {
  1: versionDecoder(AwaitVolumeSnapshotRequestV1, (value) => value),
});
export const volumeSnapshotStateCodec = versionedCodec<VolumeSnapshotState>('volume-snapshot state', {
  1: versionDecoder(VolumeSnapshotStateV1, (value) => value),
});
export const deleteVolumeSnapshotRequestCodec = versionedCodec<DeleteVolumeSnapshotRequest>('delete-volume-snapshot request', {
  1: versionDecoder(DeleteVolumeSnapshotRequestV1, (value) => value),
});
