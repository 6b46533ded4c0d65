import type { RdsDatabaseType, RdsRunMode } from '../../common/enums.js';

/** How long a run waits for AWS to finish a snapshot or a copy before it fails (copies across regions take hours). */
export const DEFAULT_RDS_SNAPSHOT_TIMEOUT_MINUTES = 6 * 60;
export const MAX_RDS_SNAPSHOT_TIMEOUT_MINUTES = 48 * 60;

/** What an RDS backup definition keeps in its `spec` (its policy is the definition's `policyId` column). */
export interface StoredRdsBackupSpec {
  cloudAccountId: string;
  region: string;
  databaseType: RdsDatabaseType;
  databaseIdentifier: string;
  snapshotTimeoutMinutes: number;
  copy: StoredRdsCopy | null;
}

/** The optional copy to another region: its own policy gives the copies' schedule and retention. */
export interface StoredRdsCopy {
  region: string;
  policyId: string;
  kmsKeyId: string | null;
  /** Delete the snapshot in the database's region once its copy is available. */
  removeSource: boolean;
}

/** Everything one RDS backup run needs, resolved before it starts; no secret (activities read the account's). */
export interface RdsBackupRunInput {
  orgId: string;
  jobId: string;
  definitionId: string;
  definitionName: string;
  cloudAccountId: string;
  region: string;
  databaseType: RdsDatabaseType;
  databaseIdentifier: string;
  mode: RdsRunMode;
  snapshotTimeoutMinutes: number;
  /** Days the snapshot in the database's region is kept. */
  retentionDays: number;
  copy: { region: string; kmsKeyId: string | null; removeSource: boolean; retentionDays: number } | null;
}

export type RdsBackupOutcome = { status: 'COMPLETED'; recoveryPointIds: string[] } | { status: 'SKIPPED'; reason: string };

/**
 * A snapshot name AWS accepts (letters, digits, hyphens; starts with a letter; no double or final
 * hyphen; at most 255) that says what made it: `haven-<database>-<yyyymmddhhmmss>`, plus `-copy` for copies.
 */
export function snapshotIdentifier(databaseIdentifier: string, at: string, suffix = ''): string {
  const stamp = at.replace(/[-:TZ.]/g, '').slice(0, 14);
  const base = `haven-${databaseIdentifier.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`.replace(/-+/g, '-').slice(0, 200);
  return `${base}-${stamp}${suffix}`.replace(/-+/g, '-').replace(/-$/, '');
}
