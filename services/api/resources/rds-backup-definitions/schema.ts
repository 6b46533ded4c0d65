import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { RDS_DATABASE_TYPES, RDS_RUN_MODES } from '../../../../lib/common/enums.js';
import { RetentionDays, RunNow, NotificationPreferences } from '../../../../lib/domain/definitions/options.js';
import { DEFAULT_RDS_SNAPSHOT_TIMEOUT_MINUTES, MAX_RDS_SNAPSHOT_TIMEOUT_MINUTES } from '../../../../lib/domain/rds/backup-spec.js';
import { Id, Name, Nullable, RecordMeta, StringEnum, Tags } from '../../../../lib/domain/schema-kit.js';
import { AwsRegion } from '../cloud-accounts/schema.js';

/** RDS's own rule for instance and cluster identifiers: a letter, then letters, digits and single hyphens, at most 63. */
export const RdsIdentifier = Type.String({ minLength: 1, maxLength: 63, pattern: '^[A-Za-z](?:-?[A-Za-z0-9])*$' });

const RdsCopy = Type.Object(
  {
    region: { ...AwsRegion, description: 'The region the snapshots are copied to; must differ from the database\'s.' },
    policyId: { ...Id, description: 'The copy policy: the copies\' schedule and retention. A policy with an hourly component (a schedule firing more than once a day) is refused: AWS takes no new snapshot while a copy runs.' },
    kmsKeyId: Nullable(Type.String({ minLength: 1, maxLength: 2048 }), { default: null, description: 'A KMS key of the copy region (id, alias or ARN); needed to copy an encrypted snapshot.' }),
    removeSource: Type.Boolean({ default: false, description: 'Delete the snapshot in the database\'s region once its copy is available (only the copy is kept and recorded).' }),
  },
  { additionalProperties: false },
);

export const RdsBackupDefinitionInput = Type.Object(
  {
    name: Name,
    cloudAccountId: { ...Id, description: 'The AWS account the database is in.' },
    region: { ...AwsRegion, description: 'The database\'s region; one of the account\'s regions.' },
    databaseType: StringEnum(RDS_DATABASE_TYPES, { description: 'INSTANCE: a DB instance (DB snapshots); CLUSTER: an Aurora DB cluster (DB cluster snapshots).' }),
    databaseIdentifier: { ...RdsIdentifier, description: 'The DB instance or DB cluster identifier.' },
    policyId: Nullable(Id, { default: null, description: 'Snapshots\' schedules and retention (the same policies as clusters\'); null means on demand only. SafeLock does not apply to RDS snapshots: AWS holds them and Haven cannot lock them.' }),
    copy: Nullable(RdsCopy, { default: null, description: 'Copy snapshots to another region; null for none.' }),
    snapshotTimeoutMinutes: Type.Integer({ minimum: 1, maximum: MAX_RDS_SNAPSHOT_TIMEOUT_MINUTES, default: DEFAULT_RDS_SNAPSHOT_TIMEOUT_MINUTES, description: 'How long a run waits for a snapshot, or a copy, to become available.' }),
    tags: Tags,
    notifications: NotificationPreferences,
    runNow: RunNow(false),
  },
  { additionalProperties: false },
);
export type RdsBackupDefinitionInput = Static<typeof RdsBackupDefinitionInput>;

const { runNow: _runNow, ...storedProperties } = RdsBackupDefinitionInput.properties;

export const RdsBackupDefinition = Type.Object({
  ...RecordMeta,
  ...storedProperties,
  name: Type.String(),
  paused: Type.Boolean({ description: 'Scheduling is paused (runs are skipped).' }),
});

/** The body of run now. */
export const RdsAdHocRun = Type.Object(
  {
    mode: StringEnum(RDS_RUN_MODES, {
      default: 'SNAPSHOT',
      description: 'SNAPSHOT: a snapshot. SNAPSHOT_AND_COPY: a snapshot and its copy to the copy region. COPY_ONLY: copy the newest kept snapshot (an ad-hoc copy to the copy region).',
    }),
    retentionDays: Type.Optional({ ...RetentionDays, description: 'Retention of what the run keeps; defaults to the policy\'s (the copy policy\'s for the copy). Required without a policy.' }),
  },
  { additionalProperties: false, default: {} },
);
