import { DrillOutcome } from '../../../../lib/domain/drill-outcome-schema.js';
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { RECOVERY_POINT_TYPES } from '../../../../lib/common/enums.js';
import { Id, NamespaceName, Nullable, StringEnum, Timestamp } from '../../../../lib/domain/schema-kit.js';

export const RecoveryPointType = StringEnum(RECOVERY_POINT_TYPES, {
  description: 'SNAPSHOT: resources in storage, PV data as snapshots in the cluster; COPY: PV data copied to storage too.',
});

export const RecoveryPoint = Type.Object({
  id: Id,
  type: RecoveryPointType,
  clusterId: Nullable(Id, { description: 'null once the cluster is deleted; the recovery point stays until it expires.' }),
  clusterName: Type.String(),
  definitionId: Nullable(Id),
  definitionName: Type.String(),
  jobId: Nullable(Id),
  storageTargetId: Id,
  createdAt: Timestamp,
  expiresAt: Timestamp,
  snapshotExpiresAt: Nullable(Timestamp, { description: 'When preserved snapshots expire, if earlier than the copy.' }),
  safeLock: Type.Object({
    locked: Type.Boolean({ description: 'Deletion is refused until lockedUntil.' }),
    lockedUntil: Nullable(Timestamp),
  }),
  sizeBytes: Type.Integer({ minimum: 0 }),
  lastDrill: Nullable(DrillOutcome, { description: 'The latest restore drill of this point; null if it was never drilled.' }),
  contents: Type.Object({
    namespaces: Type.Array(NamespaceName),
    resourceCount: Type.Integer({ minimum: 0 }),
    persistentVolumes: Type.Array(
      Type.Object({
        namespace: Type.String(),
        claim: Type.String(),
        storageClass: Type.String(),
        sizeBytes: Type.Integer({ minimum: 0 }),
        method: Type.String({
          description:
            'SNAPSHOT: kept as a CSI VolumeSnapshot in the cluster. COPY_FROM_SNAPSHOT, COPY_FROM_LIVE_CLAIM, COPY_FROM_HOST_VOLUME: copied to storage, read from a snapshot, the mounted claim or the node\'s volume directory.',
        }),
        volumeName: Type.Optional(Type.String()),
        volumeMode: Type.Optional(Type.String()),
        accessModes: Type.Optional(Type.Array(Type.String())),
        copySnapshotId: Type.Optional(Type.String({ description: 'COPY: the repository snapshot holding the PV\'s files (`datamover restore --snapshot`).' })),
        copyBytes: Type.Optional(Type.Integer({ minimum: 0, description: 'COPY: bytes of the PV\'s files.' })),
        copyFiles: Type.Optional(Type.Integer({ minimum: 0, description: 'COPY: files in the copy.' })),
        snapshotClass: Type.Optional(Type.String()),
        snapshotName: Type.Optional(Type.String({ description: 'The VolumeSnapshot, in the claim\'s namespace.' })),
        snapshotContentName: Type.Optional(Type.String()),
        snapshotHandle: Type.Optional(Type.String({ description: 'The storage system\'s id of the snapshot (the content\'s snapshotHandle).' })),
      }),
    ),
  }),
});
export type RecoveryPoint = Static<typeof RecoveryPoint>;
