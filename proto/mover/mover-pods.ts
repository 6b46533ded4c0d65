import { Type, type Static } from '@sinclair/typebox';
import { MoverMessageError, versionDecoder, versionedCodec } from './codec.js';

const VolumeModeV1 = Type.Union([Type.Literal('Filesystem'), Type.Literal('Block')]);

/**
 * Control plane -> agent: start a short-lived data-mover pod that mounts `claim` (read-only for
 * backups, read-write for restores) and polls `taskQueue`. Idempotent: a retry finds its own pod.
 */
export const StartMoverPodRequestV1 = Type.Object({
  version: Type.Literal(1),
  jobId: Type.String({ minLength: 1 }),
  namespace: Type.String({ minLength: 1 }),
  claim: Type.String({ minLength: 1 }),
  readOnly: Type.Boolean(),
  volumeMode: VolumeModeV1,
  /** The queue the pod's worker polls (`moverTaskQueue`); also names the pod. */
  taskQueue: Type.String({ minLength: 1 }),
  /** The pod's memory limit and the mover's own budget. */
  memoryLimitMiB: Type.Integer({ minimum: 64 }),
  /**
   * What the pod is for, shown in its labels and events, and what its capabilities are: `backup`,
   * `restore`, or `verify` (a drill reading a restored volume back, read-only). Agents older than
   * `verify` refuse it as an invalid message, and the drill names that.
   */
  purpose: Type.Union([Type.Literal('backup'), Type.Literal('restore'), Type.Literal('verify')]),
  /**
   * Run on the node of a running pod that mounts the claim: a live read of a ReadWriteOnce volume can
   * only mount it there. Absent or false: wherever the scheduler puts it.
   */
  colocateWithClaimUsers: Type.Optional(Type.Boolean()),
  /**
   * Read the claim's volume from the node instead of mounting the claim: the pod runs on the node of a
   * running pod that mounts it, with the kubelet's pods directory mounted read-only, and reads
   * `<pods dir>/<pod uid>/volumes/<plugin>/<volume>[/mount]`. Backups only.
   */
  fromHostVolume: Type.Optional(Type.Boolean()),
});
/**
 * Version 2 adds the pod's credential: mover pods reach Haven through the agent gateway with a token
 * of their own, no longer with the installation's payload key.
 */
export const StartMoverPodRequestV2 = Type.Object({
  ...Type.Omit(StartMoverPodRequestV1, ['version']).properties,
  version: Type.Literal(2),
  /**
   * The pod's credential at the gateway: a mover token minted by the control plane for `taskQueue` only,
   * refused once the job ends. The agent hands it to the pod through a Secret, never the pod spec.
   */
  token: Type.String({ minLength: 1 }),
});
export type StartMoverPodRequest = Static<typeof StartMoverPodRequestV2>;

export const StartMoverPodResultV1 = Type.Object({
  version: Type.Literal(1),
  namespace: Type.String(),
  podName: Type.String(),
});
export type StartMoverPodResult = Static<typeof StartMoverPodResultV1>;

/** Control plane -> agent: delete one mover pod (idempotent). */
export const DeleteMoverPodRequestV1 = Type.Object({
  version: Type.Literal(1),
  namespace: Type.String(),
  podName: Type.String(),
});
export type DeleteMoverPodRequest = Static<typeof DeleteMoverPodRequestV1>;

/** Control plane -> agent: why has this mover pod not started? Asked when the data mover pod timeout fires. */
export const DescribeMoverPodRequestV1 = DeleteMoverPodRequestV1;
export type DescribeMoverPodRequest = DeleteMoverPodRequest;

export const DescribeMoverPodResultV1 = Type.Object({
  version: Type.Literal(1),
  /** Pending, Running…; MISSING when the pod does not exist. */
  phase: Type.String(),
  /** The most telling reason found: a container's waiting reason, an unbound claim, a warning event. */
  reason: Type.Optional(Type.String()),
});
export type DescribeMoverPodResult = Static<typeof DescribeMoverPodResultV1>;

/**
 * Control plane -> agent: a temporary claim restored from a VolumeSnapshot (dataSource), in the
 * snapshot's namespace, so a mover pod can read the snapshot. `storageClass` is the source's class
 * with the definition's snapshot-mount mapping already applied.
 */
export const CreateSnapshotClaimRequestV1 = Type.Object({
  version: Type.Literal(1),
  jobId: Type.String({ minLength: 1 }),
  namespace: Type.String({ minLength: 1 }),
  /** The claim the snapshot was taken of: names the temporary claim. */
  sourceClaim: Type.String({ minLength: 1 }),
  snapshotName: Type.String({ minLength: 1 }),
  storageClass: Type.String(),
  /** At least the snapshot's restore size. */
  sizeBytes: Type.Integer({ minimum: 1 }),
  volumeMode: VolumeModeV1,
});
export type CreateSnapshotClaimRequest = Static<typeof CreateSnapshotClaimRequestV1>;

export const CreateSnapshotClaimResultV1 = Type.Object({
  version: Type.Literal(1),
  namespace: Type.String(),
  claim: Type.String(),
});
export type CreateSnapshotClaimResult = Static<typeof CreateSnapshotClaimResultV1>;

/** Control plane -> agent: delete a temporary claim this job created (idempotent). */
export const DeleteTemporaryClaimRequestV1 = Type.Object({
  version: Type.Literal(1),
  namespace: Type.String(),
  claim: Type.String(),
});
export type DeleteTemporaryClaimRequest = Static<typeof DeleteTemporaryClaimRequestV1>;

/**
 * Control plane -> agent: remove everything labelled with the job that the data-mover steps created
 * (pods, temporary claims, credentials), and the job's VolumeSnapshots unless `keepSnapshots`. Run
 * after a failure or cancel; safe to repeat, and it needs no memory of what was created.
 */
export const CleanUpMoverJobRequestV1 = Type.Object({
  version: Type.Literal(1),
  jobId: Type.String({ minLength: 1 }),
  keepSnapshots: Type.Boolean(),
});
export type CleanUpMoverJobRequest = Static<typeof CleanUpMoverJobRequestV1>;

export const CleanUpMoverJobResultV1 = Type.Object({
  version: Type.Literal(1),
  /** `<kind> <namespace>/<name>` of everything deleted, sorted. */
  deleted: Type.Array(Type.String()),
});
export type CleanUpMoverJobResult = Static<typeof CleanUpMoverJobResultV1>;

export const startMoverPodRequestCodec = versionedCodec<StartMoverPodRequest>('start-mover-pod request', {
  // A version 1 request carries no token: its pod could not reach the gateway. Runs started before the
  // upgrade are drained (docs/upgrading.md); one that was not fails here saying why, instead of hanging.
  1: versionDecoder(StartMoverPodRequestV1, () => {
    throw new MoverMessageError('start-mover-pod request', 'version 1 carries no mover token, so its pod could not reach the agent gateway; the run was started before the upgrade: run it again');
  }),
  2: versionDecoder(StartMoverPodRequestV2, (v) => v),
});
export const startMoverPodResultCodec = versionedCodec<StartMoverPodResult>('start-mover-pod result', { 1: versionDecoder(StartMoverPodResultV1, (v) => v) });
export const deleteMoverPodRequestCodec = versionedCodec<DeleteMoverPodRequest>('delete-mover-pod request', { 1: versionDecoder(DeleteMoverPodRequestV1, (v) => v) });
export const describeMoverPodRequestCodec = versionedCodec<DescribeMoverPodRequest>('describe-mover-pod request', { 1: versionDecoder(DescribeMoverPodRequestV1, (v) => v) });
export const describeMoverPodResultCodec = versionedCodec<DescribeMoverPodResult>('describe-mover-pod result', { 1: versionDecoder(DescribeMoverPodResultV1, (v) => v) });
export const createSnapshotClaimRequestCodec = versionedCodec<CreateSnapshotClaimRequest>('create-snapshot-claim request', {
  1: versionDecoder(CreateSnapshotClaimRequestV1, (v) => v),
});
export const createSnapshotClaimResultCodec = versionedCodec<CreateSnapshotClaimResult>('create-snapshot-claim result', {
  1: versionDecoder(CreateSnapshotClaimResultV1, (v) => v),
});
export const deleteTemporaryClaimRequestCodec = versionedCodec<DeleteTemporaryClaimRequest>('delete-temporary-claim request', {
  1: versionDecoder(DeleteTemporaryClaimRequestV1, (v) => v),
});
export const cleanUpMoverJobRequestCodec = versionedCodec<CleanUpMoverJobRequest>('clean-up-mover-job request', { 1: versionDecoder(CleanUpMoverJobRequestV1, (v) => v) });
export const cleanUpMoverJobResultCodec = versionedCodec<CleanUpMoverJobResult>('clean-up-mover-job result', { 1: versionDecoder(CleanUpMoverJobResultV1, (v) => v) });
