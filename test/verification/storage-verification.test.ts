import { randomUUID } from 'node:crypto';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verificationScheduleId } from '../../lib/domain/runs/storage-verification.js';
import { createBackupDefinition, createCluster, expectStatus } from '../api/helpers/fixtures.js';
import { putCurrent } from '../api/helpers/test-api.js';
import { startBackupStack, type BackupStack } from '../backup/helpers/backup-stack.js';
import { jobAfterRun, runNow, untilClusterActive } from '../backup/helpers/runs.js';
import { createStackS3Target } from '../backup/helpers/stack-target.js';
import { eventually } from '../emulator/helpers/cluster.js';
import { stackEnv, uniqueName } from '../support/stack-env.js';
import type { StorageVerification } from '../../services/api/resources/storage-targets/verification-schema.js';
import { damageOnePack } from './damage.js';

const namespace = uniqueName('verify');
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(stackEnv('KUBECONFIG'));
const core = kubeConfig.makeApiClient(CoreV1Api);

let stack: BackupStack;
let storageTargetId: string;
let prefix: string;

async function verifications(): Promise<StorageVerification[]> {
  return expectStatus<{ items: StorageVerification[] }>(await stack.client.get(`/storage-targets/${storageTargetId}/verifications`), 200).items;
}

async function ended(id: string): Promise<StorageVerification> {
  return eventually(async () => (await verifications()).find((v) => v.id === id && v.status !== 'RUNNING'), `verification ${id} to end`);
}

async function verifyNow(body: Record<string, unknown> = {}): Promise<StorageVerification> {
  const started = expectStatus<StorageVerification>(await stack.client.post(`/storage-targets/${storageTargetId}/actions/verify`, body), 202);
  expect(started.status).toBe('RUNNING');
  return ended(started.id);
}

/** The target as stored, with other verification settings (the rest default). */
function putTarget(verification: Record<string, unknown>) {
  return putCurrent(stack.client, `/storage-targets/${storageTargetId}`, (current) => {
    const { id: _id, version: _v, createdAt: _c, updatedAt: _u, hasCredentials: _h, ...body } = current;
    return { ...body, verification };
  });
}

beforeAll(async () => {
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'settings' }, data: { payload: randomUUID().repeat(2000) } } });
  stack = await startBackupStack();
  const clusterId = (await createCluster(stack.client)).id;
  storageTargetId = await createStackS3Target(stack, 'verification');
  prefix = expectStatus<{ prefix: string }>(await stack.client.get(`/storage-targets/${storageTargetId}`), 200).prefix;
  const definitionId = (
    await createBackupDefinition(stack.client, clusterId, {
      selection: { scope: 'SELECTED_NAMESPACES', namespaces: [namespace] },
      advanced: { destinationStorageTargetId: storageTargetId },
    })
  ).id;
  await stack.startAgent(clusterId);
  await untilClusterActive(stack.client, clusterId);
  const backup = await jobAfterRun(stack.client, stack.temporal, await runNow(stack.client, definitionId));
  expect(backup.status, backup.message).toBe('COMPLETED');
}, 300_000);

afterAll(async () => {
  await stack?.close();
  await core.deleteNamespace({ name: namespace }).catch(() => undefined);
});

describe('verifying a storage target', () => {
  it('has the default weekly schedule (Sunday 03:00 UTC, 10% sampled) from the moment it is created', async () => {
    const target = expectStatus<{ verification: unknown }>(await stack.client.get(`/storage-targets/${storageTargetId}`), 200);
    expect(target.verification).toEqual({ enabled: true, cron: '0 3 * * 0', timeZone: 'UTC', mode: 'SAMPLED', samplePercent: 10 });
    const schedule = await stack.temporal.schedule.getHandle(verificationScheduleId(storageTargetId)).describe();
    expect(schedule.spec.timezone).toBe('UTC');
    expect(schedule.spec.calendars?.length ?? 0).toBeGreaterThan(0);
  });

  it('passes a sound repository, reading every pack in FULL mode', async () => {
    const verification = await verifyNow({ mode: 'FULL' });
    expect(verification.status, verification.message).toBe('PASSED');
    expect(verification.trigger).toBe('REQUESTED');
    expect(verification.findings).toEqual([]);
    expect(verification.figures!.packs).toBeGreaterThan(0);
    expect(verification.figures!.packsRead).toBe(verification.figures!.packs);
    expect(verification.figures!.snapshots).toBeGreaterThan(0);
  });

  it('runs on its schedule with the settings the target has when it fires', async () => {
    const before = new Set((await verifications()).map((v) => v.id));
    await stack.temporal.schedule.getHandle(verificationScheduleId(storageTargetId)).trigger();
    const scheduled = await eventually(async () => (await verifications()).find((v) => !before.has(v.id) && v.status !== 'RUNNING'), 'the scheduled verification to end');
    expect([scheduled.trigger, scheduled.mode, scheduled.samplePercent, scheduled.status]).toEqual(['SCHEDULE', 'SAMPLED', 10, 'PASSED']);
  });

  it('fails once a pack is damaged, naming the pack and the files that need it', async () => {
    const packKey = await damageOnePack(prefix);
    const verification = await verifyNow({ mode: 'FULL' });
    expect(verification.status).toBe('FAILED');
    expect(verification.findingCount).toBeGreaterThan(0);
    expect(verification.findings.map((f) => f.objectKey)).toContain(packKey);
    expect(verification.message).toContain(packKey);
    expect(verification.figures!.damagedSnapshots).toBeGreaterThan(0);
  });
});

describe('verification settings', () => {
  it('refuses a share outside 1..100 and a bad cron, naming the field', async () => {
    const share = await stack.client.post(`/storage-targets/${storageTargetId}/actions/verify`, { samplePercent: 0 });
    expect(share.statusCode).toBe(400);
    expect(share.json().errors[0].field).toBe('body.samplePercent');
    const badCron = await putTarget({ cron: '61 * * * *' });
    expect(badCron.statusCode).toBe(422);
    expect(badCron.json().errors[0].field).toBe('body.verification.cron');
  });

  it('removes the schedule when turned off', async () => {
    expectStatus(await putTarget({ enabled: false }), 200);
    await expect(stack.temporal.schedule.getHandle(verificationScheduleId(storageTargetId)).describe()).rejects.toThrow();
  });

  it('answers 404 for an unknown target', async () => {
    expect((await stack.client.post(`/storage-targets/${randomUUID()}/actions/verify`, {})).statusCode).toBe(404);
    expect((await stack.client.get(`/storage-targets/${randomUUID()}/verifications`)).statusCode).toBe(404);
  });
});
