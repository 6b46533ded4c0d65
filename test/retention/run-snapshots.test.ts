import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlActivities } from '../../activities/control/index.js';
import type { RunSnapshots } from '../../activities/control/repository-maintenance.js';
import { storageAccessPolicy } from '../../lib/common/storage-access/policy.js';
import { runBackup } from '../../lib/datamover/backup/backup.js';
import type { Repository } from '../../lib/datamover/repository/repository.js';
import { startBackupStack, type BackupStack } from '../backup/helpers/backup-stack.js';
import { stackControlActivities } from '../backup/helpers/stack-control.js';
import { openTargetRepository } from '../backup/helpers/run-repository.js';
import { createStackS3Target } from '../backup/helpers/stack-target.js';
import { writeKnownData } from '../fixtures/volume-data.js';

let stack: BackupStack;
let control: ControlActivities;
let repository: Repository;
let storageTargetId: string;
let source: string;

beforeAll(async () => {
  stack = await startBackupStack();
  control = stackControlActivities(stack);
  storageTargetId = await createStackS3Target(stack, 'run-snapshots');
  repository = await openTargetRepository(stack, storageTargetId);
  source = join(await mkdtemp(join(tmpdir(), 'haven-run-snapshots-')), 'data');
  await mkdir(source);
  await writeKnownData(source, 'run-snapshots', { largeFileMiB: 1, smallFiles: 5 });
}, 120_000);

afterAll(async () => {
  await stack?.close();
  if (source) await rm(join(source, '..'), { recursive: true, force: true });
});

const backUp = async (job: string) => (await runBackup(repository, { source, volume: `v-${job}`, tags: { job }, sealWorkers: 0 })).snapshot.id;
const exists = (id: string) => repository.readSnapshot(id).then(() => true, () => false);
const forget = (input: Omit<RunSnapshots, 'orgId' | 'storageTargetId'>): Promise<{ forgotten: string[] }> =>
  new MockActivityEnvironment().run(control.forgetRunSnapshots, { orgId: stack.orgId, storageTargetId, ...input });

describe('a run\'s repository snapshots its point does not record', () => {
  it('are forgotten: a retried attempt\'s, or all of a failed run\'s; other runs\' and the recorded ones stay', async () => {
    const since = new Date().toISOString();
    const [recorded, retried, failedA, failedB, other] = [await backUp('run-1'), await backUp('run-1'), await backUp('run-2'), await backUp('run-2'), await backUp('run-3')];

    expect(await forget({ jobId: 'run-1', since, keep: [recorded] })).toEqual({ forgotten: [retried] });
    expect((await forget({ jobId: 'run-2', since, keep: [] })).forgotten.sort()).toEqual([failedA, failedB].sort());
    expect(await exists(recorded)).toBe(true);
    expect(await exists(other)).toBe(true);
    for (const id of [retried, failedA, failedB]) expect(await exists(id)).toBe(false);
  });

  it('are looked for only among snapshots written since the run started', async () => {
    const old = await backUp('run-4');
    const later = new Date(Date.now() + 60 * 60_000).toISOString();
    expect(await forget({ jobId: 'run-4', since: later, keep: [] })).toEqual({ forgotten: [] });
    expect(await exists(old)).toBe(true);
  });

  it('are not looked for by a control plane that may not reach the target: an internal endpoint the installation does not allow', async () => {
    const strict = stackControlActivities(stack, { storageAccess: storageAccessPolicy({}) });
    const attempt = new MockActivityEnvironment().run(strict.forgetRunSnapshots, { orgId: stack.orgId, storageTargetId, jobId: 'run-5', since: new Date().toISOString(), keep: [] });
    await expect(attempt).rejects.toMatchObject({ type: 'STORAGE_ACCESS_REFUSED', message: expect.stringContaining('private, loopback or link-local') });
  });
});
