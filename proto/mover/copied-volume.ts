import { Type, type Static } from '@sinclair/typebox';

/**
 * One PV as a COPY recovery point records it (the `persistentVolumes` entries of the point's contents,
 * stored as JSON in Postgres and read by restores long after the run): everything a restore needs to
 * re-create the claim in any cluster and fill it from the repository.
 */
export const CopiedVolumeV1 = Type.Object({
  namespace: Type.String(),
  claim: Type.String(),
  storageClass: Type.String(),
  /** The source PV's capacity: the new claim asks for at least this much. */
  sizeBytes: Type.Integer({ minimum: 0 }),
  /** Read from a CSI snapshot, through a mount of the claim itself, or from the node's pod volume directory. */
  method: Type.Union([Type.Literal('COPY_FROM_SNAPSHOT'), Type.Literal('COPY_FROM_LIVE_CLAIM'), Type.Literal('COPY_FROM_HOST_VOLUME')]),
  volumeName: Type.Optional(Type.String()),
  volumeMode: Type.Union([Type.Literal('Filesystem'), Type.Literal('Block')]),
  accessModes: Type.Array(Type.String()),
  /** The repository snapshot holding the data (`runRestore({ snapshotId })`). */
  copySnapshotId: Type.String(),
  copyBytes: Type.Integer({ minimum: 0 }),
  copyFiles: Type.Integer({ minimum: 0 }),
  /** Only when the CSI snapshot was preserved (`preserveSnapshots`): it can be restored from too. */
  snapshotClass: Type.Optional(Type.String()),
  snapshotName: Type.Optional(Type.String()),
  snapshotContentName: Type.Optional(Type.String()),
  snapshotHandle: Type.Optional(Type.String()),
});
export type CopiedVolume = Static<typeof CopiedVolumeV1>;
