import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPolicy, expectStatus } from '../api/helpers/fixtures.js';
import { RecordingLauncher } from '../api/helpers/recording-launcher.js';
import { authorized, startTestApi } from '../api/helpers/test-api.js';
import type { Client, TestApi } from '../api/helpers/test-api.js';
import { AWAY, HOME, useMotoEndpoints } from '../rds/helpers/aws.js';
import { createCloudAccount, createRdsDefinition } from '../rds/helpers/rds-api.js';
import { insertRdsDatabase, insertRdsPoint } from '../rds/helpers/records.js';
import { havenJson, runHaven } from './helpers/haven-cli.js';

/** `haven cloud-account` and `haven rds` against a real API (runs and restores recorded instead of started). */
let api: TestApi;
let client: Client;
let env: Record<string, string>;
let orgId: string;
const launcher = new RecordingLauncher();
let account: { id: string; name: string };
let definition: { id: string; name: string };

beforeAll(async () => {
  useMotoEndpoints();
  api = await startTestApi({ launcher });
  const org = await api.createOrganization();
  orgId = org.orgId;
  client = authorized(api.app, org.keys.admin);
  account = await createCloudAccount(client);
  const policy = await createPolicy(client);
  const copyPolicy = await createPolicy(client, { schedules: [{ cron: '0 4 * * 0', retentionDays: 30 }] });
  definition = await createRdsDefinition(client, { cloudAccountId: account.id, databaseIdentifier: 'orders', policyId: policy.id, copy: { region: AWAY, policyId: copyPolicy.id } });
  env = { HAVEN_SERVER: await api.app.listen({ host: '127.0.0.1', port: 0 }), HAVEN_API_KEY: org.keys.admin };
});
afterAll(() => api?.close());

describe('haven cloud-account and haven rds', () => {
  it('lists accounts without their keys, and refreshes an inventory by name', async () => {
    const listed = await runHaven(['cloud-account', 'list'], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(account.name);
    expect(listed.stdout).toContain('ACCESS_KEYS');
    const ran = await havenJson<{ found: number }>(['cloud-account', 'inventory', account.name], env);
    expect(ran).toEqual({ found: 0, markedDeleted: 0 });
    expect(launcher.calls.at(-1)).toBe(`rds-inventory:${account.id}`);
  });

  it('lists the inventory\'s databases', async () => {
    await insertRdsDatabase(api.running.database.db, orgId, account.id, 'orders');
    const table = await runHaven(['rds', 'databases', '--account', account.name], env);
    expect(table.stdout).toMatch(/orders\s+\S+\s+INSTANCE\s+us-east-1\s+postgres\s+available/);
  });

  it('runs a definition by name with a mode and a retention', async () => {
    const job = await havenJson<{ kind: string }>(['rds', 'run', definition.name, '--mode', 'SNAPSHOT_AND_COPY', '--retention-days', '3'], env);
    expect(job.kind).toBe('RDS_BACKUP');
    expect(launcher.runs.at(-1)).toMatchObject({ kind: 'RDS_BACKUP', input: { mode: 'SNAPSHOT_AND_COPY', retentionDays: 3, copy: { region: AWAY, retentionDays: 3 } } });
    const wrong = await runHaven(['rds', 'run', definition.name, '--mode', 'HOURLY'], env);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--mode must be one of SNAPSHOT, SNAPSHOT_AND_COPY, COPY_ONLY');
  });

  it('restores a recovery point into a new database, and describes the point', async () => {
    const point = await insertRdsPoint(api.running.database.db, orgId, account.id, definition);
    const job = await havenJson<{ kind: string }>(['rds', 'restore', point, '--target', 'orders-restored', '--instance-class', 'db.t3.small', '--security-group', 'sg-0a1b'], env);
    expect(job.kind).toBe('RDS_RESTORE');
    expect(launcher.calls.at(-1)).toMatch(/^rds-restore:/);
    const described = await runHaven(['point', 'describe', point], env);
    expect(described.stdout).toMatch(/SNAPSHOT \(awsrds\)/);
    expect(described.stdout).toContain(`haven-victim-db-1 in ${HOME}`);
    expect((await runHaven(['rds', 'restore', point], env)).code).toBe(2);
    expect(expectStatus<{ items: unknown[] }>(await client.get('/jobs?kind=RDS_RESTORE'), 200).items).toHaveLength(1);
  });
});
