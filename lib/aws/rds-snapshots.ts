import {
  CopyDBClusterSnapshotCommand,
  CopyDBSnapshotCommand,
  CreateDBClusterSnapshotCommand,
  CreateDBSnapshotCommand,
  DeleteDBClusterSnapshotCommand,
  DeleteDBSnapshotCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBSnapshotsCommand,
  type CopyDBClusterSnapshotCommandInput,
  type CopyDBSnapshotCommandInput,
  type RDSClient,
  type Tag,
} from '@aws-sdk/client-rds';
import type { RdsDatabaseType } from '../common/enums.js';
import { RdsError } from './rds-errors.js';

/** A snapshot as AWS describes it; `status` is AWS's (creating, copying, available, failed…). */
export interface SnapshotState {
  identifier: string;
  arn: string;
  status: string;
  engine: string;
  /** The database it was taken of. */
  databaseIdentifier: string;
  /** Percent done as AWS reports it (instances only). */
  percentProgress?: number;
}

/** Tags on every snapshot Haven makes: whose it is and which run made it, to find them in the console. */
export function havenTags(run: { definitionId: string; jobId: string }): Tag[] {
  return [
    { Key: 'haven:definition', Value: run.definitionId },
    { Key: 'haven:job', Value: run.jobId },
  ];
}

export async function createSnapshot(rds: RDSClient, type: RdsDatabaseType, databaseIdentifier: string, snapshotIdentifier: string, tags: Tag[]): Promise<void> {
  if (type === 'INSTANCE') {
    await rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: databaseIdentifier, DBSnapshotIdentifier: snapshotIdentifier, Tags: tags }));
  } else {
    await rds.send(new CreateDBClusterSnapshotCommand({ DBClusterIdentifier: databaseIdentifier, DBClusterSnapshotIdentifier: snapshotIdentifier, Tags: tags }));
  }
}

/** The snapshot, or undefined when the region has none of that name. */
export async function describeSnapshot(rds: RDSClient, type: RdsDatabaseType, snapshotIdentifier: string): Promise<SnapshotState | undefined> {
  try {
    if (type === 'INSTANCE') {
      const s = (await rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: snapshotIdentifier }))).DBSnapshots?.[0];
      if (!s) return undefined;
      return {
        identifier: snapshotIdentifier,
        arn: s.DBSnapshotArn ?? '',
        status: s.Status ?? 'unknown',
        engine: s.Engine ?? '',
        databaseIdentifier: s.DBInstanceIdentifier ?? '',
        ...(s.PercentProgress !== undefined ? { percentProgress: s.PercentProgress } : {}),
      };
    }
    const s = (await rds.send(new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: snapshotIdentifier }))).DBClusterSnapshots?.[0];
    if (!s) return undefined;
    return { identifier: snapshotIdentifier, arn: s.DBClusterSnapshotArn ?? '', status: s.Status ?? 'unknown', engine: s.Engine ?? '', databaseIdentifier: s.DBClusterIdentifier ?? '' };
  } catch (error) {
    if (/NotFound/.test((error as { name?: string }).name ?? '')) return undefined;
    throw error;
  }
}

/** Snapshots of the database still being copied to another region: while one is, AWS takes no new snapshot. */
export async function copiesInProgress(rds: RDSClient, type: RdsDatabaseType, databaseIdentifier: string): Promise<string[]> {
  if (type === 'INSTANCE') {
    const found = await rds.send(new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: databaseIdentifier }));
    return (found.DBSnapshots ?? []).filter((s) => s.Status === 'copying').map((s) => s.DBSnapshotIdentifier ?? '');
  }
  const found = await rds.send(new DescribeDBClusterSnapshotsCommand({ DBClusterIdentifier: databaseIdentifier }));
  return (found.DBClusterSnapshots ?? []).filter((s) => s.Status === 'copying').map((s) => s.DBClusterSnapshotIdentifier ?? '');
}

/**
 * Starts the copy of `sourceArn` (in `sourceRegion`) into the client's region. `sourceRegion` lets the
 * SDK sign the presigned URL AWS needs for encrypted cross-region copies; a KMS key of the target region
 * is required to copy an encrypted snapshot there.
 */
export async function copySnapshot(
  target: RDSClient,
  type: RdsDatabaseType,
  copy: { sourceArn: string; sourceRegion: string; targetIdentifier: string; kmsKeyId?: string | undefined; tags: Tag[] },
): Promise<void> {
  const kms = copy.kmsKeyId ? { KmsKeyId: copy.kmsKeyId } : {};
  // Read by the SDK's RDS middleware (it presigns the source region's request), though its input types omit it.
  const presign = { SourceRegion: copy.sourceRegion };
  if (type === 'INSTANCE') {
    await target.send(
      new CopyDBSnapshotCommand({ SourceDBSnapshotIdentifier: copy.sourceArn, TargetDBSnapshotIdentifier: copy.targetIdentifier, Tags: copy.tags, ...kms, ...presign } as CopyDBSnapshotCommandInput),
    );
  } else {
    await target.send(
      new CopyDBClusterSnapshotCommand({
        SourceDBClusterSnapshotIdentifier: copy.sourceArn,
        TargetDBClusterSnapshotIdentifier: copy.targetIdentifier,
        Tags: copy.tags,
        ...kms,
        ...presign,
      } as CopyDBClusterSnapshotCommandInput),
    );
  }
}

/** Deletes a snapshot; one already gone counts as deleted (a retried step repeats safely). */
export async function deleteSnapshot(rds: RDSClient, type: RdsDatabaseType, snapshotIdentifier: string): Promise<'DELETED' | 'ALREADY_GONE'> {
  try {
    if (type === 'INSTANCE') await rds.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: snapshotIdentifier }));
    else await rds.send(new DeleteDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: snapshotIdentifier }));
    return 'DELETED';
  } catch (error) {
    if (/NotFound/.test((error as { name?: string }).name ?? '')) return 'ALREADY_GONE';
    throw error;
  }
}

/** A snapshot that ended in a state it will not leave: the run fails naming it. */
export function failedSnapshot(state: SnapshotState): RdsError | undefined {
  if (['failed', 'incompatible-restore', 'deleted', 'deleting'].includes(state.status)) {
    return new RdsError('RDS_INVALID_STATE', `snapshot ${state.identifier} is ${state.status}`);
  }
  return undefined;
}
