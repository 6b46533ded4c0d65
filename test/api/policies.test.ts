import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackupDefinition, createCluster, createPolicy, expectStatus } from './helpers/fixtures.js';
import { authorized, startTestApi } from './helpers/test-api.js';
import type { Client, TestApi } from './helpers/test-api.js';

let api: TestApi;
let client: Client;

beforeAll(async () => {
  api = await startTestApi();
  client = authorized(api.app, (await api.createOrganization()).keys.operator);
});
afterAll(() => api?.close());

const policy = (schedule: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  name: `p-${Math.random().toString(36).slice(2)}`,
  schedules: [{ cron: '0 3 * * *', retentionDays: 7, ...schedule }],
  ...extra,
});

describe('policies', () => {
  it('creates a policy with time zone UTC and SafeLock off by default', async () => {
    const created = expectStatus(await client.post('/policies', policy()), 201);
    expect(created).toMatchObject({ timeZone: 'UTC', schedules: [{ cron: '0 3 * * *', retentionDays: 7, safeLock: false }] });
  });

  it('keeps several schedules, each with its own retention and SafeLock', async () => {
    const schedules = [
      { cron: '0 * * * *', retentionDays: 1, safeLock: false },
      { cron: '0 2 * * SUN', retentionDays: 90, safeLock: true },
    ];
    const created = expectStatus(await client.post('/policies', { name: 'tiers', timeZone: 'Europe/Paris', schedules }), 201);
    expect(created).toMatchObject({ timeZone: 'Europe/Paris', schedules });
  });

  it.each([
    [0, 400],
    [1, 201],
    [3650, 201],
    [3651, 400],
  ])('retentionDays %i answers %i', async (retentionDays, status) => {
    const response = await client.post('/policies', policy({ retentionDays }));
    const body = expectStatus(response, status);
    if (status === 400) expect(body.errors).toEqual([{ field: 'body.schedules.0.retentionDays', reason: expect.stringMatching(/must be [<>]= /) }]);
  });

  it('needs between 1 and 20 schedules', async () => {
    expect(expectStatus(await client.post('/policies', { name: 'none', schedules: [] }), 400).errors).toEqual([
      { field: 'body.schedules', reason: 'must NOT have fewer than 1 items' },
    ]);
    const many = Array.from({ length: 21 }, () => ({ cron: '0 1 * * *', retentionDays: 1 }));
    expectStatus(await client.post('/policies', { name: 'many', schedules: many }), 400);
    expectStatus(await client.post('/policies', { name: 'twenty', schedules: many.slice(0, 20) }), 201);
  });

  it('rejects a bad cron expression with 422 naming the schedule and field', async () => {
    const response = expectStatus(await client.post('/policies', policy({ cron: '0 25 * * *' })), 422);
    expect(response.errors).toEqual([{ field: 'body.schedules.0.cron', reason: 'hour field "25": "25" is not a value between 0 and 23' }]);
  });

  it('rejects an unknown time zone', async () => {
    const response = expectStatus(await client.post('/policies', policy({}, { timeZone: 'Mars/Olympus' })), 422);
    expect(response.errors).toEqual([{ field: 'body.timeZone', reason: '"Mars/Olympus" is not an IANA time zone' }]);
  });

  it('refuses deletion while a definition uses it, then allows it', async () => {
    const created = await createPolicy(client);
    const cluster = await createCluster(client);
    const definition = await createBackupDefinition(client, cluster.id, { policyId: created.id, persistentVolumes: { include: false } });
    const refused = expectStatus(await client.delete(`/policies/${created.id}`), 409);
    expect(refused).toMatchObject({ code: 'still-referenced', references: [{ kind: 'backup-definition', id: definition.id }] });
    expectStatus(await client.delete(`/backup-definitions/${definition.id}`), 204);
    expectStatus(await client.delete(`/policies/${created.id}`), 204);
  });
});
