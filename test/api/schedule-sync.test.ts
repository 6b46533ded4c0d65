import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DesiredSchedules } from '../../services/api/seams/definition-schedules.js';
import { createBackupDefinition, createCluster, createPolicy, expectStatus } from './helpers/fixtures.js';
import { RecordingLauncher } from './helpers/recording-launcher.js';
import { authorized, putCurrent, startTestApi, type Client, type TestApi } from './helpers/test-api.js';

/** A launcher whose schedule writes fail once asked to, as an unreachable Temporal would. */
class FlakyScheduleLauncher extends RecordingLauncher {
  failing = false;
  override async syncSchedules(desired: DesiredSchedules) {
    if (this.failing) throw new Error('Temporal is unreachable');
    await super.syncSchedules(desired);
  }
}

const launcher = new FlakyScheduleLauncher();
let api: TestApi;
let client: Client;

beforeAll(async () => {
  api = await startTestApi({ launcher });
  client = authorized(api.app, (await api.createOrganization()).keys.operator);
});
afterAll(() => api?.close());

describe('schedules follow definitions and policies in the same transaction', () => {
  it('asks for the policy\'s schedules on create, a change of policy on every user, and none on delete', async () => {
    const cluster = await createCluster(client);
    const policy = await createPolicy(client, { timeZone: 'Asia/Tokyo', schedules: [{ cron: '0 3 * * *', retentionDays: 5 }] });
    const definition = await createBackupDefinition(client, cluster.id, { policyId: policy.id });
    expect(launcher.schedules.at(-1)).toEqual({
      orgId: expect.any(String),
      definitionId: definition.id,
      kind: 'BACKUP',
      clusterId: cluster.id,
      timeZone: 'Asia/Tokyo',
      entries: [{ cron: '0 3 * * *', retentionDays: 5, safeLock: false }],
      paused: false,
    });
    const other = await createBackupDefinition(client, cluster.id, { policyId: policy.id });
    launcher.schedules.length = 0;
    expectStatus(await putCurrent(client, `/policies/${policy.id}`, (current) => ({ name: current.name, timeZone: 'UTC', schedules: [{ cron: '0 4 * * *', retentionDays: 9 }] })), 200);
    expect(launcher.schedules.map((d) => [d.definitionId, d.timeZone, d.entries[0]?.retentionDays]).sort()).toEqual(
      [
        [definition.id, 'UTC', 9],
        [other.id, 'UTC', 9],
      ].sort(),
    );
    expectStatus(await client.delete(`/backup-definitions/${other.id}`), 204);
    expect(launcher.schedules.at(-1)).toMatchObject({ definitionId: other.id, entries: [] });
  });

  it('saves nothing when the engine refuses the schedule: the definition and the policy change roll back', async () => {
    const cluster = await createCluster(client);
    const policy = await createPolicy(client);
    const kept = await createBackupDefinition(client, cluster.id, { policyId: policy.id });
    launcher.failing = true;
    try {
      const refused = await client.post('/backup-definitions', { name: 'never-saved', clusterId: cluster.id, policyId: policy.id });
      expect(refused.statusCode).toBe(503);
      expect(refused.json()).toMatchObject({
        code: 'engine-unavailable',
        detail: 'the schedules of "never-saved" could not be saved in Temporal (Temporal is unreachable); nothing was changed, retry when Temporal answers',
      });
      const list = expectStatus<{ items: { name: string }[] }>(await client.get('/backup-definitions?name=never-saved'), 200);
      expect(list.items).toEqual([]);
      const change = await putCurrent(client, `/policies/${policy.id}`, (current) => ({ name: current.name, schedules: [{ cron: '0 5 * * *', retentionDays: 9 }] }));
      expect(change.statusCode).toBe(503);
      expect(expectStatus<{ schedules: { cron: string }[] }>(await client.get(`/policies/${policy.id}`), 200).schedules[0]?.cron).toBe('30 2 * * *');
      expect(expectStatus(await client.get(`/backup-definitions/${kept.id}`), 200).policyId).toBe(policy.id);
    } finally {
      launcher.failing = false;
    }
  });
});
