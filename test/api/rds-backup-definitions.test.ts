import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOME, AWAY, useMotoEndpoints } from '../rds/helpers/aws.js';
import { createCloudAccount } from '../rds/helpers/rds-api.js';
import { createPolicy, expectStatus, unique } from './helpers/fixtures.js';
import { RecordingLauncher } from './helpers/recording-launcher.js';
import { authorized, putCurrent, startTestApi, type Client, type TestApi } from './helpers/test-api.js';

const launcher = new RecordingLauncher();
let api: TestApi;
let client: Client;
let accountId: string;
let daily: { id: string };
let weekly: { id: string };
let hourly: { id: string; name: string };

const body = (extra: Record<string, unknown> = {}) => ({ name: unique('rds'), cloudAccountId: accountId, region: HOME, databaseType: 'INSTANCE', databaseIdentifier: 'orders-db', ...extra });

beforeAll(async () => {
  useMotoEndpoints();
  api = await startTestApi({ launcher });
  client = authorized(api.app, (await api.createOrganization()).keys.admin);
  accountId = (await createCloudAccount(client, { regions: [HOME, AWAY] })).id;
  daily = await createPolicy(client, { timeZone: 'Europe/Paris', schedules: [{ cron: '0 3 * * *', retentionDays: 7 }] });
  weekly = await createPolicy(client, { schedules: [{ cron: '0 4 * * 0', retentionDays: 30 }] });
  hourly = await createPolicy(client, { schedules: [{ cron: '0 * * * *', retentionDays: 1 }, { cron: '0 3 * * *', retentionDays: 7 }] });
});
afterAll(() => api?.close());

describe('POST /rds-backup-definitions', () => {
  it('stores the definition with its defaults and schedules its policy\'s snapshots and its copy policy\'s copies', async () => {
    const created = expectStatus<Record<string, unknown>>(await client.post('/rds-backup-definitions', body({ policyId: daily.id, copy: { region: AWAY, policyId: weekly.id } })), 201);
    expect(created).toMatchObject({ policyId: daily.id, copy: { region: AWAY, policyId: weekly.id, kmsKeyId: null, removeSource: false }, snapshotTimeoutMinutes: 360, paused: false });
    expect(launcher.schedules.at(-1)).toEqual({
      orgId: expect.any(String),
      definitionId: created.id,
      kind: 'RDS_BACKUP',
      clusterId: null,
      timeZone: 'Europe/Paris',
      entries: [
        { cron: '0 3 * * *', retentionDays: 7, safeLock: false, rdsMode: 'SNAPSHOT' },
        { cron: '0 4 * * 0', retentionDays: 30, safeLock: false, rdsMode: 'SNAPSHOT_AND_COPY' },
      ],
      paused: false,
    });
  });

  it('refuses a copy policy with an hourly component, saying why (422)', async () => {
    const refused = await client.post('/rds-backup-definitions', body({ policyId: daily.id, copy: { region: AWAY, policyId: hourly.id } }));
    expect(refused.statusCode).toBe(422);
    const problem = refused.json<{ errors: { field: string; reason: string }[] }>();
    expect(problem.errors[0]!.field).toBe('body.copy.policyId');
    expect(problem.errors[0]!.reason).toContain(`policy "${hourly.name}" has an hourly component (schedule "0 * * * *"`);
    expect(problem.errors[0]!.reason).toContain('AWS takes no new snapshot while a copy runs');
    // The same policy is fine for the snapshots themselves.
    expectStatus(await client.post('/rds-backup-definitions', body({ policyId: hourly.id })), 201);
  });

  it('refuses a policy change that makes a copy policy hourly', async () => {
    const copyPolicy = await createPolicy(client, { schedules: [{ cron: '0 5 * * *', retentionDays: 14 }] });
    const definition = expectStatus<{ name: string }>(await client.post('/rds-backup-definitions', body({ copy: { region: AWAY, policyId: copyPolicy.id } })), 201);
    const refused = await putCurrent(client, `/policies/${copyPolicy.id}`, (current) => ({ name: current.name, timeZone: 'UTC', schedules: [{ cron: '*/30 5 * * *', retentionDays: 14 }] }));
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({ errors: [{ field: 'body.schedules', reason: expect.stringContaining(`"${definition.name}" copies with this policy`) }] });
  });

  it('refuses references and regions that cannot work, naming the field', async () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ region: 'ap-south-1' }, 'body.region', 'covers us-east-1, eu-west-1, not ap-south-1'],
      [{ copy: { region: HOME, policyId: weekly.id } }, 'body.copy.region', 'is the database\'s own region'],
      [{ cloudAccountId: '00000000-0000-4000-8000-000000000000' }, 'body.cloudAccountId', 'no cloud account'],
      [{ policyId: '00000000-0000-4000-8000-000000000000' }, 'body.policyId', 'no policy'],
      [{ runNow: true }, 'body.runNow', 'needs a policy'],
    ];
    for (const [extra, field, reason] of cases) {
      const refused = await client.post('/rds-backup-definitions', body(extra));
      expect(refused.statusCode, field).toBe(422);
      expect(refused.json<{ errors: { field: string; reason: string }[] }>().errors[0]).toMatchObject({ field, reason: expect.stringContaining(reason) });
    }
    for (const extra of [{ databaseIdentifier: '9starts-with-a-digit' }, { databaseType: 'TABLE' }, { snapshotTimeoutMinutes: 0 }, { copy: { region: AWAY } }]) {
      expect((await client.post('/rds-backup-definitions', body(extra))).statusCode, JSON.stringify(extra)).toBe(400);
    }
  });
});

describe('POST /rds-backup-definitions/{id}/actions/run', () => {
  it('resolves the mode and each retention before the run starts', async () => {
    const definition = expectStatus<{ id: string }>(await client.post('/rds-backup-definitions', body({ policyId: daily.id, copy: { region: AWAY, policyId: weekly.id, removeSource: true } })), 201);
    const job = expectStatus<{ kind: string; status: string }>(await client.post(`/rds-backup-definitions/${definition.id}/actions/run`, { mode: 'SNAPSHOT_AND_COPY' }), 202);
    expect(job).toMatchObject({ kind: 'RDS_BACKUP', status: 'RUNNING' });
    expect(launcher.runs.at(-1)).toMatchObject({
      kind: 'RDS_BACKUP',
      clusterId: null,
      input: { mode: 'SNAPSHOT_AND_COPY', retentionDays: 7, region: HOME, databaseIdentifier: 'orders-db', copy: { region: AWAY, retentionDays: 30, removeSource: true, kmsKeyId: null } },
    });
    expectStatus(await client.post(`/rds-backup-definitions/${definition.id}/actions/run`, { mode: 'COPY_ONLY', retentionDays: 2 }), 202);
    expect(launcher.runs.at(-1)).toMatchObject({ input: { mode: 'COPY_ONLY', copy: { retentionDays: 2 } } });
  });

  it('refuses a copy mode without a copy region, and a run without any retention (422)', async () => {
    const definition = expectStatus<{ id: string }>(await client.post('/rds-backup-definitions', body()), 201);
    const copy = await client.post(`/rds-backup-definitions/${definition.id}/actions/run`, { mode: 'COPY_ONLY' });
    expect(copy.statusCode).toBe(422);
    expect(copy.json()).toMatchObject({ errors: [{ field: 'body.mode' }] });
    const retention = await client.post(`/rds-backup-definitions/${definition.id}/actions/run`, {});
    expect(retention.statusCode).toBe(422);
    expect(retention.json()).toMatchObject({ errors: [{ field: 'body.retentionDays' }] });
  });
});
