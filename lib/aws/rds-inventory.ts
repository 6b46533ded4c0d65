import { DescribeDBClustersCommand, DescribeDBClusterSnapshotsCommand, DescribeDBInstancesCommand, DescribeDBSnapshotsCommand, type RDSClient } from '@aws-sdk/client-rds';
import type { RdsDatabaseType } from '../common/enums.js';

/** One database as the inventory records it. */
export interface FoundDatabase {
  type: RdsDatabaseType;
  identifier: string;
  arn: string;
  engine: string;
  engineVersion: string;
  status: string;
  instanceClass: string | null;
  automaticSnapshots: { identifier: string; createdAt: string | null; status: string }[];
}

/** Pages of an RDS Describe call, followed to the end. */
async function allPages<T>(fetch: (marker: string | undefined) => Promise<{ items: T[]; marker: string | undefined }>): Promise<T[]> {
  const found: T[] = [];
  let marker: string | undefined;
  do {
    const page = await fetch(marker);
    found.push(...page.items);
    marker = page.marker;
  } while (marker);
  return found;
}

/**
 * The instances and Aurora clusters of one region, each with its automatic snapshots. An instance that is
 * a member of an Aurora cluster is protected through its cluster (AWS snapshots the cluster), so it is
 * not listed on its own.
 */
export async function listDatabases(rds: RDSClient): Promise<FoundDatabase[]> {
  const instances = await allPages(async (Marker) => {
    const page = await rds.send(new DescribeDBInstancesCommand({ Marker }));
    return { items: page.DBInstances ?? [], marker: page.Marker };
  });
  const clusters = await allPages(async (Marker) => {
    const page = await rds.send(new DescribeDBClustersCommand({ Marker }));
    return { items: page.DBClusters ?? [], marker: page.Marker };
  });
  const found: FoundDatabase[] = [];
  for (const instance of instances) {
    if (instance.DBClusterIdentifier || !instance.DBInstanceIdentifier) continue;
    const snapshots = await rds.send(new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: instance.DBInstanceIdentifier, SnapshotType: 'automated' }));
    found.push({
      type: 'INSTANCE',
      identifier: instance.DBInstanceIdentifier,
      arn: instance.DBInstanceArn ?? '',
      engine: instance.Engine ?? '',
      engineVersion: instance.EngineVersion ?? '',
      status: instance.DBInstanceStatus ?? 'unknown',
      instanceClass: instance.DBInstanceClass ?? null,
      automaticSnapshots: (snapshots.DBSnapshots ?? []).map((s) => ({
        identifier: s.DBSnapshotIdentifier ?? '',
        createdAt: s.SnapshotCreateTime?.toISOString() ?? null,
        status: s.Status ?? 'unknown',
      })),
    });
  }
  for (const cluster of clusters) {
    if (!cluster.DBClusterIdentifier) continue;
    const snapshots = await rds.send(new DescribeDBClusterSnapshotsCommand({ DBClusterIdentifier: cluster.DBClusterIdentifier, SnapshotType: 'automated' }));
    found.push({
      type: 'CLUSTER',
      identifier: cluster.DBClusterIdentifier,
      arn: cluster.DBClusterArn ?? '',
      engine: cluster.Engine ?? '',
      engineVersion: cluster.EngineVersion ?? '',
      status: cluster.Status ?? 'unknown',
      instanceClass: cluster.DBClusterInstanceClass ?? null,
      automaticSnapshots: (snapshots.DBClusterSnapshots ?? []).map((s) => ({
        identifier: s.DBClusterSnapshotIdentifier ?? '',
        createdAt: s.SnapshotCreateTime?.toISOString() ?? null,
        status: s.Status ?? 'unknown',
      })),
    });
  }
  return found;
}
