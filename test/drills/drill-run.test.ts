import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scheduleId } from '../../services/api/seams/definition-schedules.js';
import type { StoredDrillOutcome } from '../../lib/domain/drill-result.js';
import { createBackupDefinition, createCluster, createPolicy, expectStatus } from '../api/helpers/fixtures.js';
import { startBackupStack, type BackupStack } from '../backup/helpers/backup-stack.js';
import { jobAfterRun, runNow, untilClusterActive, type JobView } from '../backup/helpers/runs.js';
import { createStackS3Target } from '../backup/helpers/stack-target.js';
import { eventually, startEmulatedCluster, type EmulatedCluster } from '../emulator/helpers/cluster.js';
import { deploySampleApp, type SampleApp } from '../fixtures/sample-app.js';
import { removeRestoredNamespaces } from '../restore/helpers/restored-namespaces.js';
import { uniqueName } from '../support/stack-env.js';
import { damageOnePack } from '../verification/damage.js';

type DrillJob = JobView & { kind: string; drill: StoredDrillOutcome | null };

let stack: BackupStack;
let cluster: EmulatedCluster;
let app: SampleApp;
let drillId: string;
let recoveryPointId: string;
let targetPrefix: string;
let scratch: string[];

async function drillJobs(): Promise<DrillJob[]> {
  return expectStatus<{ items: DrillJob[] }>(await stack.client.get(`/jobs?definitionId=${drillId}&limit=200`), 200).items.filter((j) => j.kind === 'DRILL');
}

async function endedDrill(job: JobView): Promise<DrillJob> {
  await jobAfterRun(stack.client, stack.temporal, job);
  return expectStatus<DrillJob>(await stack.client.get(`/jobs/${job.id}`), 200);
}

beforeAll(async () => {
  cluster = await startEmulatedCluster();
  // The emulator acts only in namespaces with its prefix, so the scratch copies carry it too.
  app = await deploySampleApp(cluster.config, { prefix: `${cluster.prefix}-s`, volumes: cluster.node });
  stack = await startBackupStack();
  const clusterId = (await createCluster(stack.client)).id;
  const storageTargetId = await createStackS3Target(stack, 'drills');
  targetPrefix = expectStatus<{ prefix: string }>(await stack.client.get(`/storage-targets/${storageTargetId}`), 200).prefix;
  await stack.startAgent(clusterId, { executor: cluster.node.executor });
  await untilClusterActive(stack.client, clusterId);
  const backupId = (
    await createBackupDefinition(stack.client, clusterId, {
      selection: { scope: 'SELECTED_NAMESPACES', namespaces: Object.values(app.namespaces) },
      persistentVolumes: { mode: 'BACKUP_TO_OBJECT_STORAGE' },
      advanced: { destinationStorageTargetId: storageTargetId },
    })
  ).id;
  const backup = await jobAfterRun(stack.client, stack.temporal, await runNow(stack.client, backupId));
  expect(backup.status, `${backup.message} ${JSON.stringify(backup.errors)}`).toBe('COMPLETED');
  const points = expectStatus<{ items: { id: string; jobId: string }[] }>(await stack.client.get('/recovery-points'), 200);
  recoveryPointId = points.items.find((p) => p.jobId === backup.id)!.id;
  const policyId = (await createPolicy(stack.client, { schedules: [{ cron: '0 4 * * SUN', retentionDays: 1 }] })).id;
  drillId = expectStatus<{ id: string }>(
    await stack.client.post('/restore-drills', {
      name: uniqueName('drill'),
      backupDefinitionId: backupId,
      namespacePrefix: `${cluster.prefix}-`,
      readinessTimeoutMinutes: 5,
      persistentVolumes: { concurrentPvs: 2, totalConcurrentFiles: 8 },
      policyId,
    }),
    201,
  ).id;
  scratch = Object.values(app.namespaces).map((n) => `${cluster.prefix}-${n}`);
}, 900_000);

afterAll(async () => {
  await stack?.close();
  if (cluster && scratch) await removeRestoredNamespaces(cluster.api, scratch);
  await app?.cleanup();
  await cluster?.stop();
});

describe('a restore drill of the sample application on its schedule', () => {
  let job: DrillJob;

  beforeAll(async () => {
    await stack.temporal.schedule.getHandle(scheduleId(drillId, 0)).trigger();
    const started = await eventually(async () => (await drillJobs())[0], 'the scheduled drill to record its job');
    job = await endedDrill(started);
  }, 900_000);

  it('records PASSED on its job, having compared every resource and PV of the latest point, each PV by its digest', () => {
    expect(job.drill?.differences, job.message).toEqual([]);
    expect(job.status).toBe('COMPLETED');
    expect(job.drill?.result).toBe('PASSED');
    expect(job.drill?.recoveryPointId).toBe(recoveryPointId);
    expect(job.drill?.resourcesCompared).toBeGreaterThan(10);
    expect(job.drill?.volumesCompared).toBe(app.volumes.length);
    // Every PV was a copy: each one read back by a verify mover pod and its digest equal to the repository's.
    expect(job.drill?.volumesDigested).toBe(app.volumes.length);
    expect(job.drill?.workloadsReady).toBeGreaterThan(0);
    expect(job.message).toMatch(new RegExp(`^Drill PASSED: .*${app.volumes.length} PVs compared \\(${app.volumes.length} by digest\\)`));
  });

  it('notes the drill on the recovery point', async () => {
    const point = expectStatus<{ lastDrill: StoredDrillOutcome | null }>(await stack.client.get(`/recovery-points/${recoveryPointId}`), 200);
    expect([point.lastDrill?.result, point.lastDrill?.jobId]).toEqual(['PASSED', job.id]);
  });

  it('removes its scratch namespaces and leaves the application as it was', async () => {
    expect([...(job.drill?.namespaces ?? [])].sort()).toEqual([...scratch].sort());
    for (const name of scratch) {
      await eventually(() => cluster.api.core.readNamespace({ name }).then(() => false, () => true), `scratch namespace ${name} to be gone`, 120_000);
    }
    for (const name of Object.values(app.namespaces)) expect((await cluster.api.core.readNamespace({ name })).status?.phase).toBe('Active');
  });
});

describe('the next drill after a pack of the repository was damaged', () => {
  let job: DrillJob;
  let packKey: string;

  beforeAll(async () => {
    packKey = await damageOnePack(targetPrefix);
    const started = expectStatus<JobView>(await stack.client.post(`/restore-drills/${drillId}/actions/run`), 202);
    job = await endedDrill(started);
  }, 900_000);

  it('records FAILED, naming what is broken', () => {
    expect(job.status).toBe('FAILED');
    expect(job.drill?.result).toBe('FAILED');
    expect(job.drill?.differences.length).toBeGreaterThan(0);
    expect(JSON.stringify(job.drill?.differences)).toContain(packKey);
    expect(job.message).toMatch(/^Drill FAILED/);
  });

  it('notes the failure on the recovery point', async () => {
    const point = expectStatus<{ lastDrill: StoredDrillOutcome | null }>(await stack.client.get(`/recovery-points/${recoveryPointId}`), 200);
    expect([point.lastDrill?.result, point.lastDrill?.jobId]).toEqual(['FAILED', job.id]);
  });
});
