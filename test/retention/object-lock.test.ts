import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openOrInitRepository } from '../../activities/common/open-repository.js';
import type { RecordedContents } from '../../activities/control/recovery-points.js';
import { runBackup } from '../../lib/datamover/backup/backup.js';
import { recoveryPoints } from '../../lib/db/schema/index.js';
import { expectStatus, insertRecoveryPoint } from '../api/helpers/fixtures.js';
import { startBackupStack, type BackupStack } from '../backup/helpers/backup-stack.js';
import { stackControlActivities } from '../backup/helpers/stack-control.js';
import { openTargetRepository } from '../backup/helpers/run-repository.js';
import { createStackS3Target } from '../backup/helpers/stack-target.js';
import { writeKnownData } from '../fixtures/volume-data.js';
import { deletionJob, pointById } from './helpers.js';

let stack: BackupStack;
let storageTargetId: string;
let lockedSnapshotId: string;
let scratch: string;

/**
 * SafeLock does not rest on the database alone: the objects a SafeLock run writes carry S3 Object Lock
 * retention. Here the point's row says nothing about a lock (as if someone cleared it), and the
 * repository still refuses to let its snapshot go.
 */
beforeAll(async () => {
  stack = await startBackupStack();
  storageTargetId = await createStackS3Target(stack, 'retention-object-lock');
  const control = stackControlActivities(stack);
  // Exactly what a SafeLock backup's agent is given: the target's access with one day of retention.
  const access = await control.resolveRepositoryAccess({ orgId: stack.orgId, storageTargetId, retention: { days: 1, safeLock: true } });
  scratch = await mkdtemp(join(tmpdir(), 'haven-object-lock-'));
  await writeKnownData(scratch, 'retention/locked', { largeFileMiB: 1, smallFiles: 3 });
  lockedSnapshotId = (await runBackup(await openOrInitRepository(access), { source: scratch, volume: 'locked/data', sealWorkers: 0 })).snapshot.id;
}, 120_000);

afterAll(async () => {
  await stack?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('a point whose repository snapshot is under Object Lock retention', () => {
  it('is kept, its deletion job FAILED saying the object is retained, even with no lock in the database', async () => {
    const row = await insertRecoveryPoint(stack.api.running.database.db, { orgId: stack.orgId, storageTargetId, lockedUntil: null });
    const contents: RecordedContents = { ...(row.contents as RecordedContents), resourcesSnapshotId: lockedSnapshotId };
    await stack.api.running.database.db.update(recoveryPoints).set({ contents }).where(eq(recoveryPoints.id, row.id));

    const { workflowId } = expectStatus<{ workflowId: string }>(await stack.client.delete(`/recovery-points/${row.id}`), 202);
    await stack.temporal.workflow
      .getHandle(workflowId)
      .result()
      .catch(() => undefined);
    const job = await deletionJob(stack, workflowId);
    expect(job.status).toBe('FAILED');
    expect(job.message).toMatch(/kept: object snapshots\/\S+ is retained until .*SafeLock \(Object Lock\) keeps it until then/);
    expect(await pointById(stack, row.id)).toBeDefined();
    expect((await (await openTargetRepository(stack, storageTargetId)).readSnapshot(lockedSnapshotId)).id).toBe(lockedSnapshotId);
  });
});
