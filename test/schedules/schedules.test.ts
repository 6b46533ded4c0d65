import { randomBytes, randomUUID } from 'node:crypto';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { Client, ScheduleNotFoundError, ScheduleOverlapPolicy, WorkflowFailedError, type ScheduleDescription } from '@temporalio/client';
import type { TypedSearchAttributes } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scheduleId } from '../../services/api/seams/definition-schedules.js';
import { reconcileSchedules } from '../../services/api/seams/schedule-reconcile.js';
import { TemporalSchedules } from '../../services/api/seams/temporal-schedules.js';
import { startApi } from '../../services/api/server.js';
import { havenDataConverter } from '../../lib/common/temporal/data-converter.js';
import { CLUSTER_ID_ATTRIBUTE, DEFINITION_ID_ATTRIBUTE, KIND_ATTRIBUTE } from '../../lib/common/temporal/names.js';
import { createBackupDefinition, createCluster, createPolicy, createStackS3Target, expectStatus } from '../api/helpers/fixtures.js';
import { putCurrent } from '../api/helpers/test-api.js';
import { startBackupStack, type BackupStack } from '../backup/helpers/backup-stack.js';
import { rawHistory } from '../backup/helpers/history-scan.js';
import { jobAfterRun, untilClusterActive, type JobView } from '../backup/helpers/runs.js';
import { eventually } from '../emulator/helpers/cluster.js';
import { stackEnv, uniqueName } from '../support/stack-env.js';

const namespace = uniqueName('sched');
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(stackEnv('KUBECONFIG'));
const core = kubeConfig.makeApiClient(CoreV1Api);

let stack: BackupStack;
let clusterId: string;
let storageTargetId: string;
let policyId: string;
let definitionId: string;

function describeSchedule(index: number, definition = definitionId): Promise<ScheduleDescription> {
  return stack.temporal.schedule.getHandle(scheduleId(definition, index)).describe();
}

async function scheduleGone(index: number, definition = definitionId): Promise<boolean> {
  return describeSchedule(index, definition).then(
    () => false,
    (error: unknown) => {
      if (error instanceof ScheduleNotFoundError) return true;
      throw error;
    },
  );
}

/** Triggers the schedule now and returns the job its run recorded, once the run's workflow has closed. */
async function triggerAndWait(index: number): Promise<JobView> {
  const before = new Set((await jobsOf(definitionId)).map((job) => job.id));
  await stack.temporal.schedule.getHandle(scheduleId(definitionId, index)).trigger();
  const fresh = await eventually(async () => (await jobsOf(definitionId)).find((job) => !before.has(job.id)), 'the triggered run to record its job');
  return jobAfterRun(stack.client, stack.temporal, fresh);
}

async function jobsOf(definition: string): Promise<JobView[]> {
  return expectStatus<{ items: JobView[] }>(await stack.client.get(`/jobs?definitionId=${definition}&limit=200`), 200).items;
}

beforeAll(async () => {
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'settings' }, data: { a: '1' } } });
  stack = await startBackupStack();
  clusterId = (await createCluster(stack.client)).id;
  storageTargetId = (await createStackS3Target(stack.client, `tests/${namespace}`)).id;
  policyId = (
    await createPolicy(stack.client, {
      timeZone: 'Europe/Paris',
      schedules: [
        { cron: '30 2 * * *', retentionDays: 7 },
        { cron: '0 */6 * * MON-FRI', retentionDays: 2 },
      ],
    })
  ).id;
  definitionId = (
    await createBackupDefinition(stack.client, clusterId, {
      selection: { scope: 'SELECTED_NAMESPACES', namespaces: [namespace] },
      advanced: { destinationStorageTargetId: storageTargetId },
      policyId,
    })
  ).id;
  await stack.startAgent(clusterId);
  await untilClusterActive(stack.client, clusterId);
});

afterAll(async () => {
  // A failed test must not leave schedules firing in the shared Temporal namespace.
  for (const index of [0, 1]) await stack?.temporal.schedule.getHandle(scheduleId(definitionId, index)).delete().catch(() => undefined);
  await stack?.close();
  await core.deleteNamespace({ name: namespace }).catch(() => undefined);
});

describe('a backup definition with a policy', () => {
  it('gets one Temporal Schedule per policy schedule: its cron in the policy time zone, overlap SKIP, the run named and tagged', async () => {
    const first = await describeSchedule(0);
    expect(first.spec.timezone).toBe('Europe/Paris');
    expect(first.spec.calendars).toEqual([expect.objectContaining({ hour: [{ start: 2, end: 2, step: 1 }], minute: [{ start: 30, end: 30, step: 1 }] })]);
    expect(first.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
    expect(first.state.paused).toBe(false);
    expect(first.action).toMatchObject({ type: 'startWorkflow', workflowType: 'scheduledRunWorkflow', workflowId: `${stack.orgId}:backup-${definitionId}` });
    expect(first.action.args).toEqual([{ orgId: stack.orgId, definitionId, kind: 'BACKUP', retention: { days: 7, safeLock: false } }]);
    // A description always carries the typed form (the pair-array form is only for creating).
    const attributes = first.action.typedSearchAttributes as TypedSearchAttributes | undefined;
    expect([attributes?.get(CLUSTER_ID_ATTRIBUTE), attributes?.get(DEFINITION_ID_ATTRIBUTE), attributes?.get(KIND_ATTRIBUTE)]).toEqual([clusterId, definitionId, 'BACKUP']);
    const second = await describeSchedule(1);
    expect(second.action.args).toEqual([expect.objectContaining({ retention: { days: 2, safeLock: false } })]);
    expect(second.spec.calendars?.[0]?.dayOfWeek).toEqual([{ start: 'MONDAY', end: 'FRIDAY', step: 1 }]);
  });

  it('runs when triggered: a real job, named backup-<definition>-<time>, with the firing schedule\'s retention', async () => {
    const job = await triggerAndWait(1);
    expect(job.status, job.message).toBe('COMPLETED');
    expect(job.workflowId).toMatch(new RegExp(`^${stack.orgId}:backup-${definitionId}-\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$`));
    const run = await stack.temporal.workflow.getHandle(job.workflowId).describe();
    expect(run.typedSearchAttributes.get(DEFINITION_ID_ATTRIBUTE)).toBe(definitionId);
    expect(run.typedSearchAttributes.get(KIND_ATTRIBUTE)).toBe('BACKUP');
    const points = expectStatus<{ items: { jobId: string; createdAt: string; expiresAt: string }[] }>(await stack.client.get('/recovery-points'), 200);
    const point = points.items.find((item) => item.jobId === job.id);
    expect(point).toBeDefined();
    expect(Date.parse(point!.expiresAt) - Date.parse(point!.createdAt)).toBe(2 * 86_400_000);
  });

  it('follows a policy change: crons and retention updated, a removed schedule deleted', async () => {
    const changed = await putCurrent(stack.client, `/policies/${policyId}`, (current) => ({
      name: current.name,
      description: current.description,
      timeZone: 'UTC',
      schedules: [{ cron: '15 4 * * *', retentionDays: 30, safeLock: false }],
    }));
    expectStatus(changed, 200);
    const only = await describeSchedule(0);
    expect(only.spec.timezone).toBe('UTC');
    expect(only.spec.calendars).toEqual([expect.objectContaining({ hour: [{ start: 4, end: 4, step: 1 }], minute: [{ start: 15, end: 15, step: 1 }] })]);
    expect(only.action.args).toEqual([expect.objectContaining({ retention: { days: 30, safeLock: false } })]);
    expect(await scheduleGone(1)).toBe(true);
  });

  it('pauses: the schedule is paused, the definition says so, and a run that still fires is SKIPPED "schedule paused"', async () => {
    const paused = expectStatus<{ paused: boolean }>(await stack.client.post(`/backup-definitions/${definitionId}/actions/pause`), 200);
    expect(paused.paused).toBe(true);
    expect((await describeSchedule(0)).state.paused).toBe(true);
    // Triggering by hand bypasses the pause in Temporal: exactly the run that was already on its way.
    const job = await triggerAndWait(0);
    expect(job).toMatchObject({ status: 'SKIPPED', skipReason: 'schedule paused', message: 'Skipped: schedule paused' });
    expect(job.workflowId).toMatch(new RegExp(`^${stack.orgId}:backup-${definitionId}-`));

    // A schedule Temporal lost comes back with the resume, in the resumed state.
    await stack.temporal.schedule.getHandle(scheduleId(definitionId, 0)).delete();
    expectStatus(await stack.client.post(`/backup-definitions/${definitionId}/actions/resume`), 200);
    expect((await describeSchedule(0)).state.paused).toBe(false);
  });

  it('reconciles at start: a schedule lost from Temporal comes back, one without a definition goes', async () => {
    const schedules = new TemporalSchedules(stack.temporal, stack.api.config.workflowEngine!.controlTaskQueue);
    await stack.temporal.schedule.getHandle(scheduleId(definitionId, 0)).delete();
    // Temporal's namespace is shared: an id of this run's own, so no other run's schedule is touched.
    const orphan = randomUUID();
    await schedules.sync({ orgId: stack.orgId, definitionId: orphan, kind: 'BACKUP', clusterId, timeZone: 'UTC', entries: [{ cron: '0 1 * * *', retentionDays: 1, safeLock: false }], paused: true });
    // Another installation sharing the namespace: its memo is sealed with a key this one does not hold.
    const foreignId = randomUUID();
    const foreignKey = { id: `org.${randomUUID()}.1`, key: randomBytes(32) };
    const foreign = new Client({ connection: stack.temporal.connection, namespace: stack.temporal.options.namespace, dataConverter: havenDataConverter({ encryptionKey: async () => foreignKey, decryptionKey: async () => undefined }) });
    await new TemporalSchedules(foreign, 'elsewhere').sync({ orgId: randomUUID(), definitionId: foreignId, kind: 'BACKUP', clusterId, timeZone: 'UTC', entries: [{ cron: '0 1 * * *', retentionDays: 1, safeLock: false }], paused: true });
    // The list Temporal answers from is eventually consistent: wait until it shows both.
    await eventually(async () => {
      const existing = await schedules.existing();
      return existing.has(orphan) && existing.has(foreignId);
    }, 'the schedule list to show the orphan and the foreign schedule');
    expect((await schedules.existing()).get(foreignId)).toEqual({ orgId: undefined });

    // A second API on the same database starts as after a restart: reconciling is part of start-up.
    const restarted = await startApi({ config: stack.api.config });
    await restarted.close();
    expect((await describeSchedule(0)).action.args).toEqual([expect.objectContaining({ retention: { days: 30, safeLock: false } })]);
    expect(await scheduleGone(0, orphan)).toBe(true);
    // Not this installation's to remove.
    expect((await schedules.existing()).has(foreignId)).toBe(true);
    await stack.temporal.schedule.getHandle(scheduleId(foreignId, 0)).delete();
    const again = await reconcileSchedules(stack.api.running.database.db, schedules);
    expect(again).toEqual({ synced: expect.any(Number), removed: 0 });
    expect(again.synced).toBeGreaterThanOrEqual(1);
  });

  it('loses its schedules when the definition is deleted', async () => {
    expectStatus(await stack.client.delete(`/backup-definitions/${definitionId}`), 204);
    expect(await scheduleGone(0)).toBe(true);
  });
});

describe('a scheduled run of a definition that cannot run', () => {
  it('records a FAILED job saying why, and fails its workflow too', async () => {
    const homeless = await createCluster(stack.client);
    const policy = await createPolicy(stack.client);
    const definition = await createBackupDefinition(stack.client, homeless.id, { policyId: policy.id });
    try {
      await stack.temporal.schedule.getHandle(scheduleId(definition.id, 0)).trigger();
      const job = await eventually(async () => (await jobsOf(definition.id))[0], 'the scheduled run to record its job');
      const failure = await stack.temporal.workflow.getHandle(job.workflowId).result().then(() => undefined, (error: unknown) => error);
      expect(failure).toBeInstanceOf(WorkflowFailedError);
      const reason = (failure as WorkflowFailedError).cause?.message;
      expect(reason).toBe(
        'the scheduled run could not start: advanced.destinationStorageTargetId: no destination: set one on the definition, on its cluster, or as the organization default',
      );
      const recorded = expectStatus<JobView>(await stack.client.get(`/jobs/${job.id}`), 200);
      expect(recorded).toMatchObject({ status: 'FAILED', message: reason, errors: [{ message: reason }] });
      // Raised in workflow code, so sealed by the bundle's own failure converter (bundleControlWorkflows): Temporal stores no message in clear.
      const { history } = await rawHistory(stack, job.workflowId);
      const stored = history.events?.find((e) => e.workflowExecutionFailedEventAttributes)?.workflowExecutionFailedEventAttributes?.failure;
      expect(stored?.message).toBe('Encoded failure');
      expect(JSON.stringify(stored)).not.toContain('no destination');
    } finally {
      expectStatus(await stack.client.delete(`/backup-definitions/${definition.id}`), 204);
    }
  });
});

describe('a backup definition without a policy', () => {
  it('has no schedule until it gets one', async () => {
    const bare = await createBackupDefinition(stack.client, clusterId, { advanced: { destinationStorageTargetId: storageTargetId } });
    expect(await scheduleGone(0, bare.id)).toBe(true);
    const policy = await createPolicy(stack.client);
    expectStatus(await putCurrent(stack.client, `/backup-definitions/${bare.id}`, (current) => ({ ...withoutMeta(current), policyId: policy.id })), 200);
    expect((await describeSchedule(0, bare.id)).spec.timezone).toBe('UTC');
    expectStatus(await stack.client.delete(`/backup-definitions/${bare.id}`), 204);
    expect(await scheduleGone(0, bare.id)).toBe(true);
  });
});

function withoutMeta(current: Record<string, unknown>): Record<string, unknown> {
  const { id: _id, version: _version, createdAt: _created, updatedAt: _updated, paused: _paused, ...rest } = current;
  return rest;
}
