import { ScheduleNotFoundError } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../../services/api/config.js';
import { DEFAULT_SWEEP_INTERVAL_MINUTES, sweepScheduleId, syncSweepSchedule } from '../../services/api/seams/sweep-schedule.js';
import { TemporalSchedules } from '../../services/api/seams/temporal-schedules.js';
import { generateKeyEntry } from '../../lib/common/secrets.js';
import { jobs } from '../../lib/db/schema/index.js';
import { startBackupStack, type BackupStack } from '../backup/helpers/backup-stack.js';
import { eventually } from '../emulator/helpers/cluster.js';
import { uniqueName } from '../support/stack-env.js';

let stack: BackupStack;
let schedules: TemporalSchedules;
let queue: string;

beforeAll(async () => {
  stack = await startBackupStack();
  queue = stack.api.config.workflowEngine!.controlTaskQueue;
  schedules = new TemporalSchedules(stack.temporal, queue);
}, 120_000);

afterAll(async () => {
  await schedules?.remove(sweepScheduleId(queue));
  await stack?.close();
});

describe('HAVEN_SWEEP_INTERVAL_MINUTES', () => {
  const env = { DATABASE_URL: 'postgres://x/y', HAVEN_SECRET_KEY: generateKeyEntry('k1') };

  it('defaults to 10 minutes and refuses anything but whole minutes', () => {
    expect(readConfig(env).sweepIntervalMinutes).toBe(DEFAULT_SWEEP_INTERVAL_MINUTES);
    expect(DEFAULT_SWEEP_INTERVAL_MINUTES).toBe(10);
    expect(readConfig({ ...env, HAVEN_SWEEP_INTERVAL_MINUTES: '0' }).sweepIntervalMinutes).toBe(0);
    for (const value of ['-1', '2.5', 'hourly']) expect(() => readConfig({ ...env, HAVEN_SWEEP_INTERVAL_MINUTES: value })).toThrow(ConfigError);
    expect(() => readConfig({ ...env, HAVEN_SWEEP_INTERVAL_MINUTES: 'hourly' })).toThrow(/HAVEN_SWEEP_INTERVAL_MINUTES/);
  });
});

describe('the leftover sweep Schedule', () => {
  it('runs the sweep pass on the control queue, never overlapping', async () => {
    await syncSweepSchedule(schedules, queue, 7);
    const described = await stack.temporal.schedule.getHandle(sweepScheduleId(queue)).describe();
    expect(described.spec.intervals?.map((interval) => interval.every)).toEqual([7 * 60_000]);
    expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'leftoverSweepWorkflow', taskQueue: queue });
    expect(described.policies.overlap).toBe('SKIP');
  });

  it('ends a RUNNING job whose workflow Temporal never had, once it is past the grace period, and leaves a young one', async () => {
    const db = stack.api.running.database.db;
    const insert = async (startedAt: Date) =>
      (
        await db
          .insert(jobs)
          .values({ orgId: stack.orgId, kind: 'BACKUP', definitionName: 'nightly', status: 'RUNNING', startedAt, workflowId: uniqueName('never-started') })
          .returning({ id: jobs.id })
      )[0]!.id;
    const orphan = await insert(new Date(Date.now() - 3_600_000));
    const young = await insert(new Date());
    await stack.temporal.schedule.getHandle(sweepScheduleId(queue)).trigger();
    const read = async (id: string) => (await db.select().from(jobs).where(eq(jobs.id, id)))[0]!;
    const ended = await eventually(async () => ((await read(orphan)).status === 'RUNNING' ? undefined : read(orphan)), `job ${orphan} to be reconciled by the scheduled pass`);
    expect(ended.status).toBe('FAILED');
    expect(ended.message).toMatch(/no longer exists in Temporal/);
    expect((await read(young)).status).toBe('RUNNING');
  });

  it('is removed when the interval is set to 0', async () => {
    await syncSweepSchedule(schedules, queue, 0);
    await expect(stack.temporal.schedule.getHandle(sweepScheduleId(queue)).describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
  });
});
