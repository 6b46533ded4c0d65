import type { RdsDatabaseType } from '../../common/enums.js';

/** One RDS restore, resolved by the API: where the data comes from and the new database's settings. */
export interface RdsRestoreRunInput {
  orgId: string;
  jobId: string;
  cloudAccountId: string;
  /** The region the new database is made in: the snapshot's, or the source database's for a point in time. */
  region: string;
  databaseType: RdsDatabaseType;
  source:
    | { kind: 'SNAPSHOT'; recoveryPointId: string; snapshotIdentifier: string; engine: string }
    | { kind: 'POINT_IN_TIME'; sourceIdentifier: string; restoreTime: string | null };
  target: {
    identifier: string;
    instanceClass: string | null;
    subnetGroupName: string | null;
    securityGroupIds: string[];
    parameterGroupName: string | null;
  };
  waitTimeoutMinutes: number;
}

export type RdsRestoreOutcome = { status: 'COMPLETED'; databaseIdentifier: string; arn: string };
