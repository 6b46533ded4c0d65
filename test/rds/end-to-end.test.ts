import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scheduleId } from '../../services/api/seams/definition-schedules.js';
import { syncExpirySchedule, expiryScheduleId } from '../../services/api/seams/expiry-schedule.js';
import { TemporalSchedules } from '../../services/api/seams/temporal-schedules.js';
import { startBackupStack, type BackupStack } from '../backup/helpers/backup-stack.js';
import { eventually } from '../emulator/helpers/cluster.js';
import { uniqueName } from '../support/stack-env.js';
import { AWAY, cloudAccountBody, createInstance, HOME, snapshotsOf, useMotoEndpoints } from './helpers/aws.js';

/**
 * The whole story over HTTP, as an operator would drive it with curl (docs/rds.md shows the commands):
 * an account, a scheduled definition with a cross-region copy, the schedule firing, the copy restored
 * in the copy region, and retention expiring the snapshots through the installation's expiry Schedule.
 */
let stack: BackupStack;
let baseUrl: string;
let schedules: TemporalSchedules;
let queue: string;

async function call<T>(method: string, path: string, body?: unknown, expected = [200, 201, 202, 204]): Promise<T> {
  const response = await fetch(`${baseUrl}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${stack.adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!expected.includes(response.status)) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

async function jobEnds(id: string) {
  let job: { status: string; message: string; kind: string } | undefined;
  await eventually(async () => (job = await call<{ status: string; message: string; kind: string }>('GET', `/jobs/${id}`)).status !== 'RUNNING', `job ${id} to end`);
  return job!;
}

beforeAll(async () => {
  useMotoEndpoints();
  stack = await startBackupStack();
  baseUrl = await stack.api.app.listen({ host: '127.0.0.1', port: 0 });
  queue = stack.api.config.workflowEngine!.controlTaskQueue;
  schedules = new TemporalSchedules(stack.temporal, queue);
}, 180_000);

afterAll(async () => {
  await schedules?.remove(expiryScheduleId(queue));
  await stack?.close();
});

describe('an RDS instance protected end to end through the REST API', () => {
  it('is snapshotted and copied on schedule, restored in the copy region, and expired by retention', async () => {
    const database = await createInstance(HOME);
    const account = await call<{ id: string }>('POST', '/cloud-accounts', await cloudAccountBody(uniqueName('aws')));
    const inventory = await call<{ found: number }>('POST', `/cloud-accounts/${account.id}/actions/run-inventory`);
    expect(inventory.found).toBeGreaterThanOrEqual(1);
    const listed = await call<{ items: { identifier: string }[] }>('GET', `/rds-databases?cloudAccountId=${account.id}&limit=200`);
    expect(listed.items.map((d) => d.identifier)).toContain(database);

    const daily = await call<{ id: string }>('POST', '/policies', { name: uniqueName('daily'), schedules: [{ cron: '0 3 * * *', retentionDays: 7 }] });
    const weekly = await call<{ id: string }>('POST', '/policies', { name: uniqueName('weekly-copies'), schedules: [{ cron: '0 4 * * 0', retentionDays: 30 }] });
    const hourly = await call<{ id: string }>('POST', '/policies', { name: uniqueName('hourly'), schedules: [{ cron: '15 * * * *', retentionDays: 1 }] });
    const definitionBody = { name: uniqueName('orders'), cloudAccountId: account.id, region: HOME, databaseType: 'INSTANCE', databaseIdentifier: database, policyId: daily.id };
    const refused = await call<{ errors: { field: string; reason: string }[] }>('POST', '/rds-backup-definitions', { ...definitionBody, copy: { region: AWAY, policyId: hourly.id } }, [422]);
    expect(refused.errors[0]).toMatchObject({ field: 'body.copy.policyId', reason: expect.stringContaining('hourly component') });
    const definition = await call<{ id: string }>('POST', '/rds-backup-definitions', { ...definitionBody, copy: { region: AWAY, policyId: weekly.id } });

    // The copy policy's schedule fires (as on Sunday at 04:00): a snapshot and its copy.
    await stack.temporal.schedule.getHandle(scheduleId(definition.id, 1)).trigger();
    let jobId: string | undefined;
    await eventually(async () => (jobId = (await call<{ items: { id: string }[] }>('GET', `/jobs?kind=RDS_BACKUP&definitionId=${definition.id}`)).items[0]?.id), 'the scheduled run\'s job');
    const job = await jobEnds(jobId!);
    expect(job).toMatchObject({ kind: 'RDS_BACKUP', status: 'COMPLETED' });
    const points = (await call<{ items: { id: string; type: string; expiresAt: string; rds: { region: string; snapshotIdentifier: string } }[] }>('GET', `/recovery-points?definitionId=${definition.id}&sourceType=awsrds`)).items;
    const source = points.find((p) => p.type === 'SNAPSHOT')!;
    const copy = points.find((p) => p.type === 'COPY')!;
    expect([source.rds.region, copy.rds.region]).toEqual([HOME, AWAY]);

    const target = uniqueName('orders-restored').replace(/[^a-z0-9-]/g, '');
    const restore = await call<{ id: string }>('POST', '/rds-restores', { source: { kind: 'RECOVERY_POINT', recoveryPointId: copy.id }, target: { identifier: target, instanceClass: 'db.t3.small' } });
    expect(await jobEnds(restore.id)).toMatchObject({ kind: 'RDS_RESTORE', status: 'COMPLETED' });
    await call('POST', `/cloud-accounts/${account.id}/actions/run-inventory`);
    const restored = (await call<{ items: { identifier: string; status: string }[] }>('GET', `/rds-databases?cloudAccountId=${account.id}&region=${AWAY}&limit=200`)).items.find((d) => d.identifier === target);
    expect(restored).toMatchObject({ status: 'available' });

    // Retention: the expiry Schedule, with the control plane's clock 31 days on, deletes both snapshots.
    stack.setControlTime(new Date(Date.parse(copy.expiresAt) + 86_400_000));
    try {
      await syncExpirySchedule(schedules, queue, 60);
      await stack.temporal.schedule.getHandle(expiryScheduleId(queue)).trigger();
      await eventually(async () => (await call<{ items: unknown[] }>('GET', `/recovery-points?definitionId=${definition.id}`)).items.length === 0, 'both points to expire');
    } finally {
      stack.setControlTime(undefined);
    }
    expect(await snapshotsOf(HOME, 'INSTANCE', database)).toEqual([]);
    expect(await snapshotsOf(AWAY, 'INSTANCE', database)).toEqual([]);
    // A point is gone before its deletion job records its end: wait for both jobs to end.
    const deletionStates = async () => (await call<{ items: { status: string }[] }>('GET', '/jobs?kind=RECOVERY_POINT_DELETE')).items.map((d) => d.status);
    await eventually(async () => !(await deletionStates()).includes('RUNNING'), 'both deletion jobs to end');
    expect(await deletionStates()).toEqual(['COMPLETED', 'COMPLETED']);
  });
});
