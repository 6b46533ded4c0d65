import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_HEADER_BYTES } from '../../lib/datamover/repository/object-bounds.js';
import { DEFAULT_STORAGE_REQUEST_LIMITS } from '../../lib/datamover/storage/request-limits.js';
import { recoveryPoints, type StoredRecoveryPointContents } from '../../lib/db/schema/index.js';
import { expectStatus } from '../api/helpers/fixtures.js';
import { authorized } from '../api/helpers/test-api.js';
import { startBackupStack, type BackupStack } from '../backup/helpers/backup-stack.js';
import { type JobView } from '../backup/helpers/runs.js';
import { stackControlActivities } from '../backup/helpers/stack-control.js';
import { BANNER, INTERNAL_ADDRESS, type HostileBehaviour, type HostileStorage } from '../support/hostile-storage.js';
import { createHostileTarget, HOSTILE_TEST_LIMITS, runExpiryPass, targetWithPendingGc, waitingTombstones } from './helpers.js';

const LIMITS = HOSTILE_TEST_LIMITS;

let stack: BackupStack;
const hostiles: HostileStorage[] = [];
let scratch: string;

beforeAll(async () => {
  stack = await startBackupStack({ gcGraceMs: 0, storageLimits: LIMITS, maintenanceBudgetMs: 8_000 });
  scratch = await mkdtemp(join(tmpdir(), 'haven-hostile-storage-'));
}, 120_000);

afterAll(async () => {
  await stack?.close();
  for (const hostile of hostiles) await hostile.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

function hostileTarget(behaviour: HostileBehaviour, client = stack.client): Promise<string> {
  return createHostileTarget({ ...stack, client }, behaviour, hostiles);
}

/** A recovery point of the stack's organization whose resources snapshot lives in the target's repository. */
async function pointOn(storageTargetId: string): Promise<string> {
  const [row] = await stack.api.running.database.db
    .insert(recoveryPoints)
    .values({
      orgId: stack.orgId,
      type: 'COPY',
      clusterName: 'prod',
      definitionName: 'nightly',
      storageTargetId,
      expiresAt: new Date(Date.now() + 86_400_000),
      // As a backup records it: the resources snapshot's id beside what the API shows.
      contents: { namespaces: ['shop'], resourceCount: 1, persistentVolumes: [], resourcesSnapshotId: 'snapshot-1' } as StoredRecoveryPointContents,
    })
    .returning();
  return row!.id;
}

describe('the control plane against a storage endpoint that answers with what listens inside the network', () => {
  it.each<[string, HostileBehaviour, RegExp]>([
    ["an internal web server's page", 'html-banner', /not a repository header/],
    ["another service's banner", 'raw-banner', /something that is not S3/],
  ])('fails the deletion of a point on it naming the kind of failure, never repeating %s', async (_case, behaviour, reason) => {
    const pointId = await pointOn(await hostileTarget(behaviour));
    const { workflowId } = expectStatus<{ workflowId: string }>(await stack.client.delete(`/recovery-points/${pointId}`), 202);
    await stack.temporal.workflow.getHandle(workflowId).result().catch(() => undefined);
    const listed = await stack.client.get('/jobs?kind=RECOVERY_POINT_DELETE&limit=100');
    const job = expectStatus<{ items: JobView[] }>(listed, 200).items.find((j) => j.workflowId === workflowId)!;
    expect(job).toMatchObject({ status: 'FAILED', message: expect.stringMatching(reason) });
    const record = JSON.stringify(expectStatus(await stack.client.get(`/jobs/${job.id}`), 200));
    for (const said of [BANNER, 'OpenSSH', INTERNAL_ADDRESS, '<html', '<title']) {
      expect(listed.body).not.toContain(said);
      expect(record).not.toContain(said);
    }
    // The point stays: nothing was deleted.
    expectStatus(await stack.client.get(`/recovery-points/${pointId}`), 200);
  });
});

describe("the control plane's repository work against an endpoint that misbehaves", () => {
  it.each<[string, HostileBehaviour, string]>([
    ['announces a 2 GiB object', 'huge', 'STORAGE_ANSWER_TOO_LARGE'],
    ['streams a gigantic object without announcing its length', 'huge-chunked', 'STORAGE_ANSWER_TOO_LARGE'],
    ['trickles its answer', 'trickle', 'STORAGE_TIMEOUT'],
  ])('stops with a typed failure when it %s', async (_case, behaviour, type) => {
    const storageTargetId = await hostileTarget(behaviour);
    const control = stackControlActivities(stack, { storageLimits: LIMITS });
    const attempt = new MockActivityEnvironment().run(control.forgetRepositorySnapshots, { orgId: stack.orgId, storageTargetId, snapshotIds: ['snapshot-1'] });
    await expect(attempt).rejects.toMatchObject({ type, message: expect.stringContaining(`storage target ${storageTargetId}: the storage endpoint`) });
  });
});

describe("the control plane's memory against an endpoint that announces a large repository header", () => {
  it('refuses a 400 MiB header at the bound of a header, before reading or allocating it', async () => {
    const storageTargetId = await hostileTarget('large');
    // The bound for objects of any kind as in production: 400 MiB is within it, and only the header's own bound refuses it.
    const control = stackControlActivities(stack, { storageLimits: { ...LIMITS, maxObjectBytes: DEFAULT_STORAGE_REQUEST_LIMITS.maxObjectBytes } });
    const attempt = new MockActivityEnvironment().run(control.forgetRepositorySnapshots, { orgId: stack.orgId, storageTargetId, snapshotIds: ['snapshot-1'] });
    await expect(attempt).rejects.toMatchObject({ type: 'STORAGE_ANSWER_TOO_LARGE', message: expect.stringContaining(`larger than ${MAX_HEADER_BYTES} bytes`) });
  });
});

describe('storage maintenance of one tenant', () => {
  it("does not stall another organization's: a hanging target's GC stops at its budget, the other target's completes", async () => {
    // Another organization with a healthy repository where GC has work waiting: a tombstone whose packs no snapshot needs.
    const other = await stack.api.createOrganization('other-tenant');
    const { storageTargetId: healthyId, repository } = await targetWithPendingGc({ ...stack, client: authorized(stack.api.app, other.keys.admin) }, scratch);

    // The stack's organization has a target (and a tombstone-less one is still listed) that never answers.
    const hangingId = await hostileTarget('hang');

    const outcome = await runExpiryPass(stack, { now: new Date().toISOString() });
    expect(outcome.collected.map((c) => c.storageTargetId)).toEqual([healthyId]);
    expect(outcome.collected[0]!.deletedPacks).toBeGreaterThan(0);
    expect(outcome.collected.map((c) => c.storageTargetId)).not.toContain(hangingId);
    expect(await waitingTombstones(repository)).toEqual([]);
  });
});
