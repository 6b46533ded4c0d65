import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, GetObjectRetentionCommand, ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';
import { MockActivityEnvironment } from '@temporalio/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openOrInitRepository, openRepository } from '../../activities/common/open-repository.js';
import type { ControlActivities } from '../../activities/control/index.js';
import type { RecoveryPointRecord } from '../../activities/control/recovery-points.js';
import type { RecoveryPointLock } from '../../activities/control/repository-maintenance.js';
import { runBackup } from '../../lib/datamover/backup/backup.js';
import { runRestore } from '../../lib/datamover/restore/restore.js';
import { storageTargets } from '../../lib/db/schema/index.js';
import { startBackupStack, type BackupStack } from '../backup/helpers/backup-stack.js';
import { stackControlActivities } from '../backup/helpers/stack-control.js';
import { createStackS3Target } from '../backup/helpers/stack-target.js';
import { digestTree } from '../datamover/helpers/tree-digest.js';
import { seededBytes, writeKnownData } from '../fixtures/volume-data.js';
import { s3Client, s3Servers, type S3Server } from '../support/s3-servers.js';

const DAY_MS = 86_400_000;

let stack: BackupStack;
let control: ControlActivities;
let scratch: string;

beforeAll(async () => {
  stack = await startBackupStack();
  control = stackControlActivities(stack);
  scratch = await mkdtemp(join(tmpdir(), 'haven-safelock-'));
}, 120_000);

afterAll(async () => {
  await stack?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

interface Backups {
  tree: string;
  storageTargetId: string;
  prefix: string;
  lockedSnapshotId: string;
}

/**
 * The dedup case: an unlocked backup of a tree, then a SafeLock backup of the same tree into the same
 * target, the tree having gained a file in between. The second stores only that file: for the rest it
 * references the first one's packs and index objects.
 */
async function backUpTwice(server: S3Server, name: string): Promise<Backups> {
  const tree = join(scratch, `${server.name}-${name}`);
  await mkdir(tree);
  await writeKnownData(tree, 'safelock/tree', { largeFileMiB: 24, smallFiles: 40 });
  const storageTargetId = await createStackS3Target(stack, name, server);
  const [row] = await stack.api.running.database.db.select().from(storageTargets).where(eq(storageTargets.id, storageTargetId));
  const prefix = `${(row!.config as { prefix: string }).prefix}/`;
  const unlocked = await control.resolveRepositoryAccess({ orgId: stack.orgId, storageTargetId, retention: { days: 1, safeLock: false } });
  await runBackup(await openOrInitRepository(unlocked), { source: tree, volume: 'ns/pvc', sealWorkers: 0 });
  await writeFile(join(tree, 'added-later.bin'), seededBytes(`${name}/added`, 2 << 20));
  const locked = await control.resolveRepositoryAccess({ orgId: stack.orgId, storageTargetId, retention: { days: 1, safeLock: true } });
  const lockedSnapshotId = (await runBackup(await openOrInitRepository(locked), { source: tree, volume: 'ns/pvc', sealWorkers: 0 })).snapshot.id;
  return { tree, storageTargetId, prefix, lockedSnapshotId };
}

function pointRecord(backups: Backups, days: number): RecoveryPointRecord {
  return {
    recoveryPointId: crypto.randomUUID(),
    orgId: stack.orgId,
    jobId: crypto.randomUUID(),
    type: 'COPY',
    clusterId: crypto.randomUUID(),
    definitionId: crypto.randomUUID(),
    definitionName: 'safelock',
    storageTargetId: backups.storageTargetId,
    retention: { days, safeLock: true },
    resourcesSnapshotId: backups.lockedSnapshotId,
    namespaces: ['ns'],
    resourceCount: 0,
    sizeBytes: 0,
  };
}

/** The control activity as a worker runs it (it heartbeats). */
function lockPoint(record: RecoveryPointRecord): Promise<RecoveryPointLock> {
  return new MockActivityEnvironment().run(control.lockRecoveryPointData, record);
}

/** Someone holding the target's keys deletes every version of every object S3 lets them delete. */
async function deleteEverythingAllowed(s3: S3Client, Bucket: string, prefix: string): Promise<{ deleted: number; refused: number; survivors: { key: string; versionId: string }[] }> {
  const result = { deleted: 0, refused: 0, survivors: [] as { key: string; versionId: string }[] };
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  const versions: { key: string; versionId: string }[] = [];
  for (;;) {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket, Prefix: prefix, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker }));
    for (const v of [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]) versions.push({ key: v.Key!, versionId: v.VersionId! });
    if (!page.IsTruncated) break;
    keyMarker = page.NextKeyMarker;
    versionIdMarker = page.NextVersionIdMarker;
  }
  for (const version of versions) {
    try {
      await s3.send(new DeleteObjectCommand({ Bucket, Key: version.key, VersionId: version.versionId }));
      result.deleted++;
    } catch {
      result.refused++;
      result.survivors.push(version);
    }
  }
  return result;
}

async function restoresByteExact(backups: Backups): Promise<void> {
  const access = await control.resolveRepositoryAccess({ orgId: stack.orgId, storageTargetId: backups.storageTargetId, retention: { days: 1, safeLock: false } });
  const target = `${backups.tree}-restored`;
  await runRestore(await openRepository(access), { snapshotId: backups.lockedSnapshotId, target });
  expect(await digestTree(target)).toEqual(await digestTree(backups.tree));
}

describe.each(s3Servers())('SafeLock against someone holding the bucket keys of $name', (server) => {
  const s3 = s3Client(server);
  const Bucket = server.bucket;
  afterAll(() => s3.destroy());

  it('without extending locks, deleting what S3 allows leaves a deduplicated SafeLock snapshot unrestorable (the defect)', async () => {
    const backups = await backUpTwice(server, 'safelock-unextended');
    const attack = await deleteEverythingAllowed(s3, Bucket, backups.prefix);
    expect(attack.deleted).toBeGreaterThan(0);
    await expect(restoresByteExact(backups)).rejects.toThrow();
  });

  it('locks every object the point needs until lockedUntil, so it restores byte-exact after the attack', async () => {
    const backups = await backUpTwice(server, 'safelock-extended');
    const days = 2;
    const before = Date.now();
    const lock = await lockPoint(pointRecord(backups, days));
    const lockedUntil = new Date(lock.lockedUntil);
    expect(lockedUntil.getTime()).toBeGreaterThanOrEqual(before + days * DAY_MS);
    // The header, the snapshot object, the manifest's and the data's packs, and the index naming them.
    expect(lock.objects).toBeGreaterThanOrEqual(4);
    // All of them: the reused ones had no lock, the second backup's own ones one day, short of two.
    expect(lock.extended).toBe(lock.objects);

    const attack = await deleteEverythingAllowed(s3, Bucket, backups.prefix);
    console.info(`SafeLock attack on ${server.name}: ${attack.deleted} object versions deleted, ${attack.refused} refused (${lock.objects} objects locked, ${lock.extended} extended)`);
    expect(attack.refused).toBeGreaterThanOrEqual(lock.objects);
    // What survives holds at least the date the point records: the row promises no more than the bucket.
    for (const survivor of attack.survivors) {
      const retention = await s3.send(new GetObjectRetentionCommand({ Bucket, Key: survivor.key, VersionId: survivor.versionId }));
      expect(retention.Retention?.Mode).toBe('COMPLIANCE');
      expect(retention.Retention!.RetainUntilDate!.getTime()).toBeGreaterThanOrEqual(lockedUntil.getTime());
    }
    await restoresByteExact(backups);
  });

  it('is idempotent: locking again extends nothing that already holds the date', async () => {
    const backups = await backUpTwice(server, 'safelock-again');
    const first = await lockPoint(pointRecord(backups, 1));
    expect(first.extended).toBeGreaterThan(0);
    // A shorter lock asked for later: nothing is shortened, nothing needs a request.
    const second = await lockPoint(pointRecord(backups, 0));
    expect(second.extended).toBe(0);
    expect(second.objects).toBe(first.objects);
  });
});

describe('SafeLock bookkeeping', () => {
  it('records no SafeLocked point whose data was not locked first', async () => {
    const record = pointRecord({ tree: '', storageTargetId: crypto.randomUUID(), prefix: '', lockedSnapshotId: 'none' }, 7);
    await expect(control.recordRecoveryPoint(record)).rejects.toMatchObject({ type: 'SAFELOCK_NOT_APPLIED' });
  });
});
