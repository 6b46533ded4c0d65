import { ScheduleNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../../services/api/config.js';
import { rdsInventoryScheduleId, syncRdsInventorySchedule } from '../../services/api/seams/rds-inventory-schedule.js';
import { TemporalSchedules } from '../../services/api/seams/temporal-schedules.js';
import { generateKeyEntry } from '../../lib/common/secrets.js';
import { DEFAULT_RDS_INVENTORY_INTERVAL_MINUTES } from '../../lib/domain/rds/inventory.js';
import { expectStatus } from '../api/helpers/fixtures.js';
import { startBackupStack, type BackupStack } from '../backup/helpers/backup-stack.js';
import { eventually } from '../emulator/helpers/cluster.js';
import { AWAY, createAuroraCluster, createInstance, deleteInstance, HOME, useMotoEndpoints } from './helpers/aws.js';
import { createCloudAccount } from './helpers/rds-api.js';

interface DatabaseView {
  id: string;
  identifier: string;
  region: string;
  type: string;
  status: string;
  deleted: boolean;
  automaticSnapshots: unknown[];
}

let stack: BackupStack;
let schedules: TemporalSchedules;
let queue: string;
let accountId: string;

async function inventory(query = ''): Promise<DatabaseView[]> {
  return expectStatus<{ items: DatabaseView[] }>(await stack.client.get(`/rds-databases?cloudAccountId=${accountId}&limit=200${query}`), 200).items;
}

beforeAll(async () => {
  useMotoEndpoints();
  stack = await startBackupStack();
  queue = stack.api.config.workflowEngine!.controlTaskQueue;
  schedules = new TemporalSchedules(stack.temporal, queue);
  accountId = (await createCloudAccount(stack.client)).id;
}, 180_000);

afterAll(async () => {
  await schedules?.remove(rdsInventoryScheduleId(queue));
  await stack?.close();
});

describe('the RDS inventory', () => {
  let home: string;
  let away: string;
  let aurora: string;

  it('lists the instances and Aurora clusters of every region of the account on demand', async () => {
    [home, away, aurora] = [await createInstance(HOME), await createInstance(AWAY), await createAuroraCluster(HOME)];
    const ran = expectStatus<{ found: number; markedDeleted: number }>(await stack.client.post(`/cloud-accounts/${accountId}/actions/run-inventory`), 200);
    // moto's account is shared by every test file: at least ours.
    expect(ran.found).toBeGreaterThanOrEqual(3);
    const found = await inventory();
    const instance = found.find((d) => d.identifier === home);
    expect(instance).toMatchObject({ region: HOME, type: 'INSTANCE', status: 'available', deleted: false });
    // moto, like AWS, keeps an automatic snapshot of a new instance: the inventory shows what it finds.
    expect(instance!.automaticSnapshots).toEqual([expect.objectContaining({ identifier: expect.stringMatching(new RegExp(`^rds:${home}-`)), status: 'available' })]);
    expect(found.find((d) => d.identifier === away)).toMatchObject({ region: AWAY, type: 'INSTANCE' });
    expect(found.find((d) => d.identifier === aurora)).toMatchObject({ region: HOME, type: 'CLUSTER' });
    const account = expectStatus<{ lastInventoryAt: string | null; lastInventoryError: string | null }>(await stack.client.get(`/cloud-accounts/${accountId}`), 200);
    expect(account.lastInventoryAt).not.toBeNull();
    expect(account.lastInventoryError).toBeNull();
  });

  it('marks a database AWS no longer lists as deleted, keeping it', async () => {
    await deleteInstance(HOME, home);
    const ran = expectStatus<{ markedDeleted: number }>(await stack.client.post(`/cloud-accounts/${accountId}/actions/run-inventory`), 200);
    expect(ran.markedDeleted).toBeGreaterThanOrEqual(1);
    const gone = (await inventory()).find((d) => d.identifier === home);
    expect(gone).toMatchObject({ deleted: true, status: 'deleted' });
    expect((await inventory('&includeDeleted=false')).map((d) => d.identifier)).not.toContain(home);
    const one = expectStatus<DatabaseView>(await stack.client.get(`/rds-databases/${gone!.id}`), 200);
    expect(one.identifier).toBe(home);
  });

  it('is refreshed by the installation\'s Schedule, every 12 hours by default', async () => {
    expect(DEFAULT_RDS_INVENTORY_INTERVAL_MINUTES).toBe(720);
    const env = { DATABASE_URL: 'postgres://unused', HAVEN_SECRET_KEY: generateKeyEntry('k1') };
    expect(readConfig(env).rdsInventoryIntervalMinutes).toBe(720);
    expect(() => readConfig({ ...env, HAVEN_RDS_INVENTORY_INTERVAL_MINUTES: 'daily' })).toThrow(ConfigError);
    await syncRdsInventorySchedule(schedules, queue, 720);
    const handle = stack.temporal.schedule.getHandle(rdsInventoryScheduleId(queue));
    const described = await handle.describe();
    expect(described.spec.intervals?.map((interval) => interval.every)).toEqual([720 * 60_000]);
    expect(described.action).toMatchObject({ workflowType: 'rdsInventoryWorkflow', taskQueue: queue });
    const made = await createInstance(AWAY);
    await handle.trigger();
    await eventually(async () => (await inventory()).some((d) => d.identifier === made), `the scheduled pass to find ${made}`);
    await syncRdsInventorySchedule(schedules, queue, 0);
    await expect(handle.describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
  });
});
