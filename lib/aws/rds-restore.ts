import {
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  RestoreDBClusterFromSnapshotCommand,
  RestoreDBClusterToPointInTimeCommand,
  RestoreDBInstanceFromDBSnapshotCommand,
  RestoreDBInstanceToPointInTimeCommand,
  type RDSClient,
  type Tag,
} from '@aws-sdk/client-rds';
import type { RdsDatabaseType } from '../common/enums.js';

/** Where and how the new database is made; unset options take AWS's defaults (those of the snapshot or source). */
export interface NewDatabaseOptions {
  targetIdentifier: string;
  instanceClass?: string | undefined;
  subnetGroupName?: string | undefined;
  securityGroupIds?: string[] | undefined;
  /** A DB parameter group for an instance, a DB cluster parameter group for a cluster. */
  parameterGroupName?: string | undefined;
}

/** What to restore: a snapshot, or a database's state at a time (or its latest restorable time). */
export type RestoreSource =
  | { kind: 'SNAPSHOT'; snapshotIdentifier: string; engine: string }
  | { kind: 'POINT_IN_TIME'; sourceIdentifier: string; restoreTime?: string | undefined };

function instanceOptions(options: NewDatabaseOptions) {
  return {
    ...(options.instanceClass ? { DBInstanceClass: options.instanceClass } : {}),
    ...(options.subnetGroupName ? { DBSubnetGroupName: options.subnetGroupName } : {}),
    ...(options.securityGroupIds?.length ? { VpcSecurityGroupIds: options.securityGroupIds } : {}),
    ...(options.parameterGroupName ? { DBParameterGroupName: options.parameterGroupName } : {}),
  };
}

function clusterOptions(options: NewDatabaseOptions) {
  return {
    ...(options.subnetGroupName ? { DBSubnetGroupName: options.subnetGroupName } : {}),
    ...(options.securityGroupIds?.length ? { VpcSecurityGroupIds: options.securityGroupIds } : {}),
    ...(options.parameterGroupName ? { DBClusterParameterGroupName: options.parameterGroupName } : {}),
    ...(options.instanceClass ? { DBClusterInstanceClass: options.instanceClass } : {}),
  };
}

/** Starts the restore into a new instance or cluster; AWS makes it asynchronously (`databaseStatus` follows it). */
export async function startRestore(rds: RDSClient, type: RdsDatabaseType, source: RestoreSource, options: NewDatabaseOptions, tags: Tag[]): Promise<string> {
  const time = source.kind === 'POINT_IN_TIME' ? (source.restoreTime ? { RestoreTime: new Date(source.restoreTime) } : { UseLatestRestorableTime: true }) : {};
  if (type === 'INSTANCE') {
    const answer =
      source.kind === 'SNAPSHOT'
        ? await rds.send(new RestoreDBInstanceFromDBSnapshotCommand({ DBInstanceIdentifier: options.targetIdentifier, DBSnapshotIdentifier: source.snapshotIdentifier, Tags: tags, ...instanceOptions(options) }))
        : await rds.send(
            new RestoreDBInstanceToPointInTimeCommand({ SourceDBInstanceIdentifier: source.sourceIdentifier, TargetDBInstanceIdentifier: options.targetIdentifier, Tags: tags, ...time, ...instanceOptions(options) }),
          );
    return answer.DBInstance?.DBInstanceArn ?? '';
  }
  const answer =
    source.kind === 'SNAPSHOT'
      ? await rds.send(
          new RestoreDBClusterFromSnapshotCommand({ DBClusterIdentifier: options.targetIdentifier, SnapshotIdentifier: source.snapshotIdentifier, Engine: source.engine, Tags: tags, ...clusterOptions(options) }),
        )
      : await rds.send(
          new RestoreDBClusterToPointInTimeCommand({ SourceDBClusterIdentifier: source.sourceIdentifier, DBClusterIdentifier: options.targetIdentifier, Tags: tags, ...time, ...clusterOptions(options) }),
        );
  return answer.DBCluster?.DBClusterArn ?? '';
}

/** The database's status (creating, available…), or undefined when the region has none of that name. */
export async function databaseStatus(rds: RDSClient, type: RdsDatabaseType, identifier: string): Promise<string | undefined> {
  return (await describeDatabase(rds, type, identifier))?.status;
}

/** The database's status and tags, or undefined when the region has none of that name. */
export async function describeDatabase(rds: RDSClient, type: RdsDatabaseType, identifier: string): Promise<{ status: string; tags: Tag[] } | undefined> {
  try {
    if (type === 'INSTANCE') {
      const found = (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier }))).DBInstances?.[0];
      return found ? { status: found.DBInstanceStatus ?? 'unknown', tags: found.TagList ?? [] } : undefined;
    }
    const found = (await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: identifier }))).DBClusters?.[0];
    return found ? { status: found.Status ?? 'unknown', tags: found.TagList ?? [] } : undefined;
  } catch (error) {
    if (/NotFound/.test((error as { name?: string }).name ?? '')) return undefined;
    throw error;
  }
}
