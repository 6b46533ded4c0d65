import type { RdsDatabaseType } from '../../common/enums.js';

/**
 * Where an awsrds recovery point's data is: one RDS snapshot, held by AWS in the account and region
 * named. Snapshot identifiers are the DB snapshot's for instances and the DB cluster snapshot's for
 * Aurora clusters; `copiedFrom` is set on a cross-region copy.
 */
export interface StoredRdsSnapshot {
  cloudAccountId: string;
  region: string;
  databaseType: RdsDatabaseType;
  databaseIdentifier: string;
  snapshotIdentifier: string;
  snapshotArn: string;
  engine: string;
  copiedFrom?: { region: string; snapshotIdentifier: string };
  kmsKeyId?: string;
}
