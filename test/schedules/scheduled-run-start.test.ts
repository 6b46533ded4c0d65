import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scheduledRunActivities, type ScheduledRunStart } from '../../activities/control/scheduled-runs.js';
import type { ControlDeps } from '../../activities/control/deps.js';
import { jobs } from '../../lib/db/schema/index.js';
import { createBackupDefinition, createCluster, createPolicy, createS3Target, expectStatus } from '../api/helpers/fixtures.js';
import { RecordingLauncher } from '../api/helpers/recording-launcher.js';
import { authorized, startTestApi, type Client, type TestApi } from '../api/helpers/test-api.js';

const now = new Date('2026-03-01T02:30:00Z');
let api: TestApi;
let client: Client;
let orgId: string;
let activities: ReturnType<typeof scheduledRunActivities>;

beforeAll(async () => {
  api = await startTestApi({ launcher: new RecordingLauncher() });
  const org = await api.createOrganization();
  orgId = org.orgId;
  client = authorized(api.app, org.keys.admin);
  // Starting a scheduled run asks Temporal nothing: the deps' client is never reached.
  const deps: ControlDeps = { db: api.running.database.db, keyring: api.config.keyring, installationKeyring: api.config.keyring, temporal: undefined as never, clock: () => now };
  activities = scheduledRunActivities(deps);
});
afterAll(() => api?.close());

async function scheduledDefinition() {
  const target = await createS3Target(client);
  const cluster = await createCluster(client, { defaultStorageTargetId: target.id });
  const policy = await createPolicy(client, { schedules: [{ cron: '30 2 * * *', retentionDays: 7 }] });
  return { target, cluster, definition: await createBackupDefinition(client, cluster.id, { policyId: policy.id }) };
}

function start(definitionId: string, suffix: string): ScheduledRunStart {
  return { orgId, definitionId, kind: 'BACKUP', retention: { days: 7, safeLock: false }, workflowId: `backup-${definitionId}-${suffix}`, runId: `run-${suffix}` };
}

async function jobsOf(workflowId: string) {
  return api.running.database.db.select().from(jobs).where(eq(jobs.workflowId, workflowId));
}

describe('starting a scheduled run', () => {
  it('records one RUNNING job and resolves the backup input, the same on a retried attempt', async () => {
    const { target, cluster, definition } = await scheduledDefinition();
    const request = start(definition.id, '2026-03-01T02:30:00Z');
    const first = await activities.startScheduledRun(request);
    const retried = await activities.startScheduledRun(request);
    expect(first).toEqual(retried);
    expect(first).toMatchObject({
      status: 'RUN',
      input: { orgId, definitionId: definition.id, clusterId: cluster.id, storageTargetId: target.id, retention: { days: 7, safeLock: false }, recoveryPointType: 'COPY' },
    });
    const recorded = await jobsOf(request.workflowId);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ status: 'RUNNING', workflowRunId: request.runId, startedAt: now });
    expect(first.status === 'RUN' && first.input.jobId).toBe(recorded[0]!.id);
  });

  it('records SKIPPED "schedule paused" once when the definition is paused', async () => {
    const { definition } = await scheduledDefinition();
    expectStatus(await client.post(`/backup-definitions/${definition.id}/actions/pause`), 200);
    const request = start(definition.id, 'paused');
    expect(await activities.startScheduledRun(request)).toEqual({ status: 'SKIPPED', reason: 'schedule paused' });
    expect(await activities.startScheduledRun(request)).toEqual({ status: 'SKIPPED', reason: 'schedule paused' });
    const recorded = await jobsOf(request.workflowId);
    expect(recorded.map((job) => [job.status, job.skipReason, job.message])).toEqual([['SKIPPED', 'schedule paused', 'Skipped: schedule paused']]);
  });

  it('answers GONE, recording nothing, for a definition deleted since the schedule fired', async () => {
    const { definition } = await scheduledDefinition();
    expectStatus(await client.delete(`/backup-definitions/${definition.id}`), 204);
    const request = start(definition.id, 'gone');
    expect(await activities.startScheduledRun(request)).toMatchObject({ status: 'GONE' });
    expect(await jobsOf(request.workflowId)).toEqual([]);
  });

  it('does not start another organization\'s definition', async () => {
    const { definition } = await scheduledDefinition();
    const other = await api.createOrganization('other');
    const request = { ...start(definition.id, 'other-org'), orgId: other.orgId };
    expect(await activities.startScheduledRun(request)).toMatchObject({ status: 'GONE' });
    expect(await jobsOf(request.workflowId)).toEqual([]);
  });
});
