/**
 * Enumerations shared by the database (pg enums), the API schemas and, later, the workflows.
 * Each list is the single declaration; add members here and generate a migration.
 */

/** What an API key may do: admin manages keys, storage and organization preferences; operator
 * manages definitions and runs actions; viewer only reads. */
export const ROLES = ['admin', 'operator', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Agent liveness as the API reports it: PENDING = no agent has ever polled; ACTIVE = an agent polls
 * now; INACTIVE = an agent polled once but has gone quiet. */
export const CLUSTER_STATUSES = ['PENDING', 'ACTIVE', 'INACTIVE'] as const;
export type ClusterStatus = (typeof CLUSTER_STATUSES)[number];

export const STORAGE_TARGET_KINDS = ['S3', 'FILESYSTEM'] as const;
export type StorageTargetKind = (typeof STORAGE_TARGET_KINDS)[number];

/** When an app hook runs. */
export const HOOK_TYPES = ['PRE_BACKUP', 'POST_BACKUP', 'POST_RESTORE'] as const;
export type HookType = (typeof HOOK_TYPES)[number];

/**
 * Where a definition binds its hooks: a backup's and a restore's by hook type, a replication's by side
 * (its source runs backup hooks, its destination post-restore hooks).
 */
export const HOOK_PHASES = ['PRE_BACKUP', 'POST_BACKUP', 'POST_RESTORE', 'SOURCE_PRE_BACKUP', 'SOURCE_POST_BACKUP', 'DESTINATION_POST_RESTORE'] as const;
export type HookPhase = (typeof HOOK_PHASES)[number];

/** FAIL stops the run at the failing hook; CONTINUE records the error and goes on. */
export const HOOK_ERROR_MODES = ['FAIL', 'CONTINUE'] as const;

/** The kinds of definition the API records; a job runs one of them. RDS_BACKUP snapshots an AWS RDS
 * instance or Aurora cluster (no Kubernetes cluster involved); a DRILL restores a backup's recovery point
 * into scratch namespaces and checks it. */
export const DEFINITION_KINDS = ['BACKUP', 'REPLICATION', 'RESTORE', 'RDS_BACKUP', 'DRILL'] as const;
export type DefinitionKind = (typeof DEFINITION_KINDS)[number];

/** What a job does: the definition kinds plus housekeeping runs and RDS restores (which have no definition). */
export const JOB_KINDS = ['BACKUP', 'REPLICATION', 'RESTORE', 'RECOVERY_POINT_DELETE', 'RDS_BACKUP', 'RDS_RESTORE', 'DRILL'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/** Job states. RUNNING is the only non-terminal one; SKIPPED carries a reason (agent not connected,
 * the same definition already running, schedule paused). */
export const JOB_STATUSES = ['RUNNING', 'COMPLETED', 'PARTIAL', 'FAILED', 'SKIPPED', 'CANCELLED'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** SNAPSHOT = PV snapshots in the cluster plus resources in storage; COPY = PV data in storage too. */
export const RECOVERY_POINT_TYPES = ['SNAPSHOT', 'COPY'] as const;
export type RecoveryPointType = (typeof RECOVERY_POINT_TYPES)[number];

/** Where a recovery point came from: a Kubernetes cluster's backup, or an AWS RDS snapshot (held by AWS, not in a storage target). */
export const RECOVERY_POINT_SOURCES = ['kubernetes', 'awsrds'] as const;
export type RecoveryPointSource = (typeof RECOVERY_POINT_SOURCES)[number];

/** How a cloud account reaches AWS: its own access keys, or a role Haven assumes (external id `haven-<organization>`). */
export const CLOUD_ACCOUNT_AUTH_KINDS = ['ACCESS_KEYS', 'ASSUME_ROLE'] as const;
export type CloudAccountAuthKind = (typeof CLOUD_ACCOUNT_AUTH_KINDS)[number];

/** What an RDS definition protects: a DB instance, or an Aurora DB cluster. */
export const RDS_DATABASE_TYPES = ['INSTANCE', 'CLUSTER'] as const;
export type RdsDatabaseType = (typeof RDS_DATABASE_TYPES)[number];

/** What one RDS backup run does: a snapshot; a snapshot and its copy to the copy region; or only a copy of the newest snapshot. */
export const RDS_RUN_MODES = ['SNAPSHOT', 'SNAPSHOT_AND_COPY', 'COPY_ONLY'] as const;
export type RdsRunMode = (typeof RDS_RUN_MODES)[number];

/**
 * How a repository verification reads data: SAMPLED reads a share of the packs in full (a spot check of
 * the bytes), FULL reads every pack. Both check every index, snapshot and manifest structurally.
 */
export const VERIFICATION_MODES = ['SAMPLED', 'FULL'] as const;
export type VerificationMode = (typeof VERIFICATION_MODES)[number];

/** A verification's state: RUNNING until it ends PASSED (nothing found bad) or FAILED (objects found bad, or it could not run). */
export const VERIFICATION_STATUSES = ['RUNNING', 'PASSED', 'FAILED'] as const;
export type VerificationStatus = (typeof VERIFICATION_STATUSES)[number];

/** What started a verification: the target's schedule, or a person (POST .../actions/verify). */
export const VERIFICATION_TRIGGERS = ['SCHEDULE', 'REQUESTED'] as const;
export type VerificationTrigger = (typeof VERIFICATION_TRIGGERS)[number];

/** A drill's verdict: the restored copy matched the recovery point (PASSED) or it did not, or could not be restored (FAILED). */
export const DRILL_RESULTS = ['PASSED', 'FAILED'] as const;
export type DrillResult = (typeof DRILL_RESULTS)[number];

/** Where an organization's notifications go: an HTTPS endpoint (signed JSON) or mailboxes through an SMTP server. */
export const NOTIFICATION_CHANNEL_KINDS = ['WEBHOOK', 'EMAIL'] as const;
export type NotificationChannelKind = (typeof NOTIFICATION_CHANNEL_KINDS)[number];

/** What is notified: a run that ended FAILED, PARTIAL or SKIPPED, and RECOVERED, the first success of a
 * definition after a FAILED or PARTIAL run. */
export const NOTIFICATION_EVENTS = ['FAILED', 'PARTIAL', 'SKIPPED', 'RECOVERED'] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

/** PENDING: not yet accepted, retries left; DELIVERED: the endpoint answered 2xx or the SMTP server took the
 * mail; FAILED: every attempt failed, or the channel was removed or disabled before it went out. */
export const NOTIFICATION_DELIVERY_STATUSES = ['PENDING', 'DELIVERED', 'FAILED'] as const;
export type NotificationDeliveryStatus = (typeof NOTIFICATION_DELIVERY_STATUSES)[number];

/** How an SMTP connection is secured: TLS from the first byte (port 465), STARTTLS required (587), or none (a relay on a trusted network). */
export const SMTP_SECURITY_MODES = ['TLS', 'STARTTLS', 'NONE'] as const;
export type SmtpSecurity = (typeof SMTP_SECURITY_MODES)[number];
