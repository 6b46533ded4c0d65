import { DrillOutcome } from '../../../../lib/domain/drill-outcome-schema.js';
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { RDS_DATABASE_TYPES, RECOVERY_POINT_SOURCES, RECOVERY_POINT_TYPES } from '../../../../lib/common/enums.js';
import { Id, NamespaceName, Nullable, StringEnum, Timestamp } from '../../../../lib/domain/schema-kit.js';

export const RecoveryPointType = StringEnum(RECOVERY_POINT_TYPES, {
  description:
    'SNAPSHOT: resources in storage, PV data as snapshots in the cluster; COPY: PV data copied to storage too. For awsrds points: SNAPSHOT is the RDS snapshot in the database\'s region, COPY its copy in another region.',
});

export const RecoveryPointSource = StringEnum(RECOVERY_POINT_SOURCES, {
  description: 'kubernetes: a cluster\'s backup, its data in a storage target; awsrds: an RDS snapshot, held by AWS (SafeLock does not apply to it).',
});

/** Where an awsrds point's data is. */
export const RdsSnapshotRef = Type.Object({
  cloudAccountId: Id,
  region: Type.String(),
  databaseType: StringEnum(RDS_DATABASE_TYPES),
  databaseIdentifier: Type.String(),
  snapshotIdentifier: Type.String(),
  snapshotArn: Type.String(),
  engine: Type.String(),
  copiedFrom: Type.Optional(Type.Object({ region: Type.String(), snapshotIdentifier: Type.String() })),
  kmsKeyId: Type.Optional(Type.String()),
});

export const RecoveryPoint = Type.Object({
  id: Id,
  type: RecoveryPointType,
  sourceType: RecoveryPointSource,
  clusterId: Nullable(Id, { description: 'null once the cluster is deleted (the recovery point stays until it expires), and for awsrds points.' }),
  clusterName: Type.String({ description: 'The cluster\'s name; for awsrds points, the database identifier.' }),
  definitionId: Nullable(Id),
  definitionName: Type.String(),
  jobId: Nullable(Id),
  storageTargetId: Nullable(Id, { description: 'null for awsrds points: the RDS snapshot is the data.' }),
  rds: Nullable(RdsSnapshotRef, { description: 'awsrds points: the RDS snapshot; null otherwise.' }),
  createdAt: Timestamp,
  expiresAt: Timestamp,
  snapshotExpiresAt: Nullable(Timestamp, { description: 'When preserved snapshots expire, if earlier than the copy.' }),
  safeLock: Type.Object({
    locked: Type.Boolean({ description: 'Deletion is refused until lockedUntil. Never true for awsrds points: SafeLock does not apply to RDS snapshots.' }),
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
