import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackup } from '../../lib/datamover/backup/backup.js';
import { recoveryPoints, type StoredRecoveryPointContents } from '../../lib/db/schema/index.js';
import { insertRecoveryPoint } from '../api/helpers/fixtures.js';
import { authorized } from '../api/helpers/test-api.js';
import { startBackupStack, type BackupStack } from '../backup/helpers/backup-stack.js';
import { eventually } from '../emulator/helpers/cluster.js';
import { writeKnownData } from '../fixtures/volume-data.js';
import type { HostileStorage } from '../support/hostile-storage.js';
import { createHostileTarget, HOSTILE_TEST_LIMITS, pointById, startExpiryPass, targetWithPendingGc, waitingTombstones } from './helpers.js';

/** More hanging targets than a pass has lanes: before GC had a lane per organization, they took them all. */
const HANGING_TARGETS = 5;

let stack: BackupStack;
const hostiles: HostileStorage[] = [];
let scratch: string;
let gcWorkflowId: string | undefined;

beforeAll(async () => {
  // The production GC budget (half an hour per target): a hanging target's GC stays stuck for the whole file.
  stack = await startBackupStack({ gcGraceMs: 0, storageLimits: HOSTILE_TEST_LIMITS });
  scratch = await mkdtemp(join(tmpdir(), 'haven-gc-fairness-'));
}, 120_000);

afterAll(async () => {
  if (gcWorkflowId) await stack.temporal.workflow.getHandle(gcWorkflowId).terminate('test over').catch(() => undefined);
  for (const hostile of hostiles) await hostile.close();
  await stack?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** An expired point of the organization on the target, with the repository snapshot given as its resources. */
async function expiredPoint(orgId: string, storageTargetId: string, resourcesSnapshotId?: string): Promise<string> {
  const db = stack.api.running.database.db;
  const point = await insertRecoveryPoint(db, { orgId, storageTargetId });
  const contents = { ...(point.contents as StoredRecoveryPointContents), ...(resourcesSnapshotId ? { resourcesSnapshotId } : {}) };
  await db.update(recoveryPoints).set({ expiresAt: new Date(Date.now() - 60_000), contents }).where(eq(recoveryPoints.id, point.id));
  return point.id;
}

async function gcStatus(workflowId: string): Promise<string> {
  return (await stack.temporal.workflow.getHandle(workflowId).describe()).status.name;
}

describe('one organization with several storage targets that hang', () => {
  it("delays neither another organization's expiry nor its GC, and the next expiry pass starts while its GC is stuck", async () => {
    const other = await stack.api.createOrganization('patient-tenant');
    const { storageTargetId, repository } = await targetWithPendingGc({ ...stack, client: authorized(stack.api.app, other.keys.admin) }, scratch);
    for (let i = 0; i < HANGING_TARGETS; i++) await createHostileTarget(stack, 'hang', hostiles);

    const first = await expiredPoint(other.orgId, storageTargetId);
    const pass = await startExpiryPass(stack, { now: new Date().toISOString() });
    gcWorkflowId = pass.garbageCollection.workflowId;
    expect(pass.deleted).toEqual([first]);
    expect(pass.garbageCollection.status).toBe('STARTED');
    expect(await pointById(stack, first)).toBeUndefined();

    // The other organization's GC finishes in that GC pass: its tombstone's packs are deleted and the tombstone with them.
    await eventually(async () => (await waitingTombstones(repository)).length === 0, "the other organization's GC to complete");
    expect(await gcStatus(gcWorkflowId)).toBe('RUNNING');

    // The next pass runs to its end beside the stuck GC, deletes what expired since, and starts no second GC.
    const source = await mkdtemp(join(scratch, 'second-'));
    await writeKnownData(source, 'second point', { largeFileMiB: 1, smallFiles: 2 });
    const { snapshot } = await runBackup(repository, { source, volume: 'v2', tags: {}, sealWorkers: 0 });
    const second = await expiredPoint(other.orgId, storageTargetId, snapshot.id);
    const next = await startExpiryPass(stack, { now: new Date().toISOString() });
    expect(next.deleted).toEqual([second]);
    expect(next.garbageCollection).toEqual({ workflowId: gcWorkflowId, status: 'ALREADY_RUNNING' });
    expect(await pointById(stack, second)).toBeUndefined();
    // What that pass forgot is collected by the running GC pass (no tombstone would have made the next one look): its packs are condemned.
    await eventually(async () => (await waitingTombstones(repository)).length > 0, 'the running GC pass to condemn the forgotten snapshot\'s packs');
    expect(await gcStatus(gcWorkflowId)).toBe('RUNNING');
    expect(hostiles.some((hostile) => hostile.requests() > 0)).toBe(true);
  });
});
