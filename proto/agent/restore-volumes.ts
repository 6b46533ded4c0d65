import { Type, type Static } from '@sinclair/typebox';
import { versionDecoder, versionedCodec } from './codec.js';
import { HookDefinitionV1 } from './run-hook.js';

/** Labels on the VolumeSnapshots and contents a restore creates, so the run (or a later one) can remove them. */
export const RESTORE_SNAPSHOT_LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  job: 'restore.haven.io/job',
} as const;

/** One claim a restore fills from a CSI snapshot of the recovery point (source names, as the point holds them). */
export const RestoreSnapshotVolumeV1 = Type.Object({
  namespace: Type.String(),
  claim: Type.String(),
  /** The claim's class in the source cluster, before any remap. */
  storageClass: Type.String(),
  /** The driver's id of the snapshot: what a pre-provisioned VolumeSnapshotContent points at. */
  snapshotHandle: Type.String({ minLength: 1 }),
  /** The source's VolumeSnapshotContent: on the same cluster it names the CSI driver exactly. */
  snapshotContentName: Type.Optional(Type.String()),
  /** The VolumeSnapshotClass that took it, which names its CSI driver. */
  snapshotClass: Type.Optional(Type.String()),
  restoreSizeBytes: Type.Optional(Type.Integer({ minimum: 0 })),
});
export type RestoreSnapshotVolume = Static<typeof RestoreSnapshotVolumeV1>;

/**
 * Control plane -> agent of the target: can these snapshots be restored here? Each claim's class (after
 * the remap) must exist and be provisioned by the CSI driver that took the snapshot, and that driver
 * must be installed.
 */
export const CheckSnapshotRestoreRequestV1 = Type.Object({
  version: Type.Literal(1),
  storageClassMapping: Type.Record(Type.String(), Type.String()),
  volumes: Type.Array(RestoreSnapshotVolumeV1),
});
export type CheckSnapshotRestoreRequest = Static<typeof CheckSnapshotRestoreRequestV1>;

export const CheckSnapshotRestoreResultV1 = Type.Object({
  version: Type.Literal(1),
  /** One sentence per claim that cannot be restored from its snapshot here; empty when all can. */
  problems: Type.Array(Type.String()),
});
export type CheckSnapshotRestoreResult = Static<typeof CheckSnapshotRestoreResultV1>;

/** A claim a restore re-creates empty and fills from its copy in the repository (source names). */
export const RestoreCopyVolumeV1 = Type.Object({
  namespace: Type.String(),
  claim: Type.String(),
});
export type RestoreCopyVolume = Static<typeof RestoreCopyVolumeV1>;

/** A claim the resource restore created empty, for a data mover to fill: where it went on the target. */
export const EmptiedClaimV1 = Type.Object({
  namespace: Type.String(),
  claim: Type.String(),
  targetNamespace: Type.String(),
});
export type EmptiedClaim = Static<typeof EmptiedClaimV1>;

/** A claim the resource restore created with a data source: where it went on the target. */
export const RestoredClaimV1 = Type.Object({
  namespace: Type.String(),
  claim: Type.String(),
  targetNamespace: Type.String(),
  /** The VolumeSnapshot in the target namespace the claim is provisioned from. */
  snapshotName: Type.String(),
});
export type RestoredClaim = Static<typeof RestoredClaimV1>;

/** Control plane -> agent: wait until the claims restored with a data source are provisioned. */
export const AwaitRestoredClaimsRequestV1 = Type.Object({
  version: Type.Literal(1),
  claims: Type.Array(RestoredClaimV1),
  timeoutSeconds: Type.Number({ minimum: 0 }),
});
export type AwaitRestoredClaimsRequest = Static<typeof AwaitRestoredClaimsRequestV1>;

export const RESTORED_CLAIM_STATES = [
  /** Provisioned from the snapshot and bound: the data is in. */
  'BOUND',
  /** Its class binds on first use and no restored pod uses it yet: it is provisioned from the snapshot when one does. */
  'WAITING_FOR_CONSUMER',
  /** The snapshot source or the provisioning failed; `reason` says why. */
  'FAILED',
] as const;

export const RestoredClaimStateV1 = Type.Object({
  namespace: Type.String(),
  claim: Type.String(),
  targetNamespace: Type.String(),
  state: Type.Union(RESTORED_CLAIM_STATES.map((s) => Type.Literal(s))),
  reason: Type.Optional(Type.String()),
  volumeName: Type.Optional(Type.String()),
});
export type RestoredClaimState = Static<typeof RestoredClaimStateV1>;

export const AwaitRestoredClaimsResultV1 = Type.Object({
  version: Type.Literal(1),
  claims: Type.Array(RestoredClaimStateV1),
});
export type AwaitRestoredClaimsResult = Static<typeof AwaitRestoredClaimsResultV1>;

/**
 * Control plane -> agent: remove the VolumeSnapshots and pre-provisioned contents this restore job
 * created for these claims. The contents retain the driver's snapshot, which still belongs to the
 * recovery point. Idempotent.
 */
export const ReleaseSnapshotSourcesRequestV1 = Type.Object({
  version: Type.Literal(1),
  jobId: Type.String(),
  claims: Type.Array(RestoredClaimV1),
});
export type ReleaseSnapshotSourcesRequest = Static<typeof ReleaseSnapshotSourcesRequestV1>;

/**
 * Control plane -> agent: give the Deployments and StatefulSets this job created with no replicas (they
 * mount copied claims) their replicas back, now that the data is in. Idempotent.
 */
export const ReleaseHeldWorkloadsRequestV1 = Type.Object({
  version: Type.Literal(1),
  jobId: Type.String(),
  /** The target namespaces of the copied claims: held workloads are only there. */
  namespaces: Type.Array(Type.String()),
});
export type ReleaseHeldWorkloadsRequest = Static<typeof ReleaseHeldWorkloadsRequestV1>;

export const ReleaseHeldWorkloadsResultV1 = Type.Object({
  version: Type.Literal(1),
  /** `collection/namespace/name` of each workload released. */
  released: Type.Array(Type.String()),
});
export type ReleaseHeldWorkloadsResult = Static<typeof ReleaseHeldWorkloadsResultV1>;

export const releaseHeldWorkloadsRequestCodec = versionedCodec<ReleaseHeldWorkloadsRequest>('release-held-workloads request', {
  1: versionDecoder(ReleaseHeldWorkloadsRequestV1, (value) => value),
});

/** Control plane -> agent: wait until the restored workloads the post-restore hooks select are ready. */
export const AwaitHookTargetsRequestV1 = Type.Object({
  version: Type.Literal(1),
  hooks: Type.Array(HookDefinitionV1),
  runNamespaces: Type.Array(Type.String()),
  timeoutSeconds: Type.Number({ minimum: 0 }),
});
export type AwaitHookTargetsRequest = Static<typeof AwaitHookTargetsRequestV1>;

export const AwaitHookTargetsResultV1 = Type.Object({
  version: Type.Literal(1),
  /** `Kind namespace/name` of the selected workloads still not ready at the deadline. */
  notReady: Type.Array(Type.String()),
});
export type AwaitHookTargetsResult = Static<typeof AwaitHookTargetsResultV1>;

export const awaitHookTargetsRequestCodec = versionedCodec<AwaitHookTargetsRequest>('await-hook-targets request', {
  1: versionDecoder(AwaitHookTargetsRequestV1, (value) => value),
});
export const checkSnapshotRestoreRequestCodec = versionedCodec<CheckSnapshotRestoreRequest>('check-snapshot-restore request', {
  1: versionDecoder(CheckSnapshotRestoreRequestV1, (value) => value),
});
export const checkSnapshotRestoreResultCodec = versionedCodec<CheckSnapshotRestoreResult>('check-snapshot-restore result', {
  1: versionDecoder(CheckSnapshotRestoreResultV1, (value) => value),
});
export const awaitRestoredClaimsRequestCodec = versionedCodec<AwaitRestoredClaimsRequest>('await-restored-claims request', {
  1: versionDecoder(AwaitRestoredClaimsRequestV1, (value) => value),
});
export const awaitRestoredClaimsResultCodec = versionedCodec<AwaitRestoredClaimsResult>('await-restored-claims result', {
  1: versionDecoder(AwaitRestoredClaimsResultV1, (value) => value),
});
export const releaseSnapshotSourcesRequestCodec = versionedCodec<ReleaseSnapshotSourcesRequest>('release-snapshot-sources request', {
  1: versionDecoder(ReleaseSnapshotSourcesRequestV1, (value) => value),
});
