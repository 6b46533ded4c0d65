import { ScheduleNotFoundError } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../../services/api/config.js';
import { DEFAULT_EXPIRY_INTERVAL_MINUTES, expiryScheduleId, syncExpirySchedule } from '../../services/api/seams/expiry-schedule.js';
import { TemporalSchedules } from '../../services/api/seams/temporal-schedules.js';
import { generateKeyEntry } from '../../lib/common/secrets.js';
import { recoveryPoints } from '../../lib/db/schema/index.js';
import { insertRecoveryPoint } from '../api/helpers/fixtures.js';
import { startBackupStack, type BackupStack } from '../backup/helpers/backup-stack.js';
import { createStackS3Target } from '../backup/helpers/stack-target.js';
import { eventually } from '../emulator/helpers/cluster.js';
import { pointById, runExpiryPass } from './helpers.js';

let stack: BackupStack;
let schedules: TemporalSchedules;
let queue: string;

beforeAll(async () => {
  stack = await startBackupStack();
  queue = stack.api.config.workflowEngine!.controlTaskQueue;
  schedules = new TemporalSchedules(stack.temporal, queue);
}, 120_000);

afterAll(async () => {
  await schedules?.remove(expiryScheduleId(queue));
  await stack?.close();
});

describe('HAVEN_EXPIRY_INTERVAL_MINUTES', () => {
  const env = { DATABASE_URL: 'postgres://unused', HAVEN_SECRET_KEY: generateKeyEntry('k1') };

  it('defaults to 15 minutes', () => {
    expect(DEFAULT_EXPIRY_INTERVAL_MINUTES).toBe(15);
    expect(readConfig(env).expiryIntervalMinutes).toBe(15);
    expect(readConfig({ ...env, HAVEN_EXPIRY_INTERVAL_MINUTES: '0' }).expiryIntervalMinutes).toBe(0);
  });

  it('refuses what is not a whole number of minutes, naming the variable', () => {
    for (const value of ['-1', '2.5', 'hourly']) {
      expect(() => readConfig({ ...env, HAVEN_EXPIRY_INTERVAL_MINUTES: value })).toThrow(ConfigError);
      expect(() => readConfig({ ...env, HAVEN_EXPIRY_INTERVAL_MINUTES: value })).toThrow(/HAVEN_EXPIRY_INTERVAL_MINUTES/);
    }
  });
});

describe('the expiry Schedule', () => {
  it('is off in tests unless asked (HAVEN_EXPIRY_INTERVAL_MINUTES=0 removes it)', async () => {
    expect(stack.api.config.expiryIntervalMinutes).toBe(0);
    await expect(stack.temporal.schedule.getHandle(expiryScheduleId(queue)).describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
  });

  it('runs the expiry workflow on the control queue at the configured interval, never overlapping', async () => {
    await syncExpirySchedule(schedules, queue, 7);
    const described = await stack.temporal.schedule.getHandle(expiryScheduleId(queue)).describe();
    expect(described.spec.intervals?.map((interval) => interval.every)).toEqual([7 * 60_000]);
    expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'recoveryPointExpiryWorkflow', taskQueue: queue });
    expect(described.policies.overlap).toBe('SKIP');
  });

  it('updates the interval in place when the setting changes', async () => {
    await syncExpirySchedule(schedules, queue, 30);
    const described = await stack.temporal.schedule.getHandle(expiryScheduleId(queue)).describe();
    expect(described.spec.intervals?.map((interval) => interval.every)).toEqual([30 * 60_000]);
  });

  it('deletes an expired point when it fires, and leaves one not yet due', async () => {
    const storageTargetId = await createStackS3Target(stack, 'expiry-schedule');
    const db = stack.api.running.database.db;
    const expired = await insertRecoveryPoint(db, { orgId: stack.orgId, storageTargetId });
    await db.update(recoveryPoints).set({ expiresAt: new Date(Date.now() - 60_000) }).where(eq(recoveryPoints.id, expired.id));
    const current = await insertRecoveryPoint(db, { orgId: stack.orgId, storageTargetId });
    await stack.temporal.schedule.getHandle(expiryScheduleId(queue)).trigger();
    await eventually(async () => (await pointById(stack, expired.id)) === undefined, `expired point ${expired.id} to be deleted by the scheduled pass`);
    expect(await pointById(stack, current.id)).toBeDefined();
  });

  it('is removed when the interval is set to 0', async () => {
    await syncExpirySchedule(schedules, queue, 0);
    await expect(stack.temporal.schedule.getHandle(expiryScheduleId(queue)).describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
  });
});

describe('an expiry pass over a copy point whose snapshot expiry came but which keeps no snapshots', () => {
  it('clears that expiry once, keeping the point until its own', async () => {
    const storageTargetId = await createStackS3Target(stack, 'expiry-no-snapshots');
    const db = stack.api.running.database.db;
    const row = await insertRecoveryPoint(db, { orgId: stack.orgId, storageTargetId });
    await db.update(recoveryPoints).set({ snapshotExpiresAt: new Date(Date.now() - 60_000) }).where(eq(recoveryPoints.id, row.id));
    const now = new Date(Date.now() + 60_000).toISOString();
    expect((await runExpiryPass(stack, { now })).deleted).toEqual([row.id]);
    expect((await pointById(stack, row.id))?.snapshotExpiresAt).toBeNull();
    expect((await runExpiryPass(stack, { now })).deleted).toEqual([]);
  });
});
