import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { RDS_DATABASE_TYPES } from '../../../../lib/common/enums.js';
import { Id, Nullable, StringEnum, TaggedUnion, Timestamp } from '../../../../lib/domain/schema-kit.js';
import { RdsIdentifier } from '../rds-backup-definitions/schema.js';

/** Restoring a large database takes long; past this the job fails (the database AWS is making stays). */
export const DEFAULT_RDS_RESTORE_TIMEOUT_MINUTES = 4 * 60;
export const MAX_RDS_RESTORE_TIMEOUT_MINUTES = 48 * 60;

export const RdsDatabase = Type.Object({
  id: Id,
  cloudAccountId: Id,
  region: Type.String(),
  type: StringEnum(RDS_DATABASE_TYPES),
  identifier: Type.String(),
  arn: Type.String(),
  engine: Type.String(),
  engineVersion: Type.String(),
  status: Type.String({ description: 'AWS\'s status when last listed; `deleted` once AWS no longer lists it.' }),
  instanceClass: Nullable(Type.String()),
  automaticSnapshots: Type.Array(
    Type.Object({ identifier: Type.String(), createdAt: Nullable(Timestamp), status: Type.String() }),
    { description: 'The automatic (AWS-made) snapshots the last inventory found; Haven does not manage them.' },
  ),
  firstSeenAt: Timestamp,
  lastSeenAt: Timestamp,
  deleted: Type.Boolean({ description: 'AWS no longer lists it: kept, so its recovery points and jobs still name it.' }),
  deletedAt: Nullable(Timestamp),
});
export type RdsDatabase = Static<typeof RdsDatabase>;

const NullableName = (description: string) => Nullable(Type.String({ minLength: 1, maxLength: 255, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' }), { default: null, description });

export const RdsRestoreRequest = Type.Object(
  {
    source: TaggedUnion('kind', [
      Type.Object(
        { kind: Type.Literal('RECOVERY_POINT'), recoveryPointId: { ...Id, description: 'An awsrds recovery point: its snapshot is restored in the snapshot\'s region (a copy\'s region for a copy).' } },
        { additionalProperties: false },
      ),
      Type.Object(
        {
          kind: Type.Literal('POINT_IN_TIME'),
          databaseId: { ...Id, description: 'The database (of the inventory) to restore as it was at `restoreTime`, in its own region. AWS supports it for instances and Aurora clusters with automated backups.' },
          restoreTime: Nullable(Timestamp, { default: null, description: 'null: the latest restorable time.' }),
        },
        { additionalProperties: false },
      ),
    ]),
    target: Type.Object(
      {
        identifier: { ...RdsIdentifier, description: 'The new instance\'s or cluster\'s identifier; it must not exist yet.' },
        instanceClass: NullableName('e.g. db.t3.micro; null keeps the snapshot\'s.'),
        subnetGroupName: NullableName('The DB subnet group; null uses the default VPC\'s.'),
        securityGroupIds: Type.Array(Type.String({ pattern: '^sg-[0-9a-f]+$' }), { maxItems: 5, uniqueItems: true, default: [], description: 'VPC security groups; empty uses the default.' }),
        parameterGroupName: NullableName('A DB parameter group (instances) or DB cluster parameter group (clusters); null uses the default.'),
      },
      { additionalProperties: false },
    ),
    waitTimeoutMinutes: Type.Integer({ minimum: 1, maximum: MAX_RDS_RESTORE_TIMEOUT_MINUTES, default: DEFAULT_RDS_RESTORE_TIMEOUT_MINUTES, description: 'How long the run waits for the new database to be available.' }),
  },
  { additionalProperties: false },
);
export type RdsRestoreRequest = Static<typeof RdsRestoreRequest>;
