import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recoveryPoints } from '../../lib/db/schema/index.js';
import { createBackupDefinition, createCluster, createPolicy, createS3Target, expectStatus, insertRecoveryPoint } from './helpers/fixtures.js';
import { RecordingLauncher } from './helpers/recording-launcher.js';
import { authorized, startTestApi } from './helpers/test-api.js';
import type { Client, TestApi } from './helpers/test-api.js';

const launcher = new RecordingLauncher();
let api: TestApi;
let client: Client;
let clusterId: string;
let otherClusterId: string;
let backupId: string;
let emptyBackupId: string;
let pointId: string;
let foreignPointId: string;

beforeAll(async () => {
  api = await startTestApi({ launcher });
  const org = await api.createOrganization();
  client = authorized(api.app, org.keys.admin);
  const target = await createS3Target(client);
  clusterId = (await createCluster(client, { defaultStorageTargetId: target.id })).id;
  otherClusterId = (await createCluster(client)).id;
  backupId = (await createBackupDefinition(client, clusterId)).id;
  emptyBackupId = (await createBackupDefinition(client, clusterId)).id;
  const db = api.running.database.db;
  pointId = (await insertRecoveryPoint(db, { orgId: org.orgId, storageTargetId: target.id, clusterId, namespaces: ['shop'] })).id;
  await db.update(recoveryPoints).set({ definitionId: backupId }).where(eq(recoveryPoints.id, pointId));
  foreignPointId = (await insertRecoveryPoint(db, { orgId: org.orgId, storageTargetId: target.id, clusterId, namespaces: ['shop'] })).id;
});
afterAll(() => api?.close());

let n = 0;
const drill = (extra: Record<string, unknown> = {}) => ({ name: `drill-${++n}`, backupDefinitionId: backupId, ...extra });

function fieldOf(response: { json(): unknown }): string | undefined {
  return (response.json() as { errors?: { field: string }[] }).errors?.[0]?.field;
}

describe('restore drills', () => {
  it("records a drill with the documented defaults, restoring into the backup's own cluster", async () => {
    const created = expectStatus(await client.post('/restore-drills', drill()), 201);
    expect(created).toMatchObject({
      backupDefinitionId: backupId,
      recoveryPointId: null,
      targetClusterId: clusterId,
      namespacePrefix: 'drill-',
      readinessTimeoutMinutes: 10,
      policyId: null,
      paused: false,
      persistentVolumes: { include: true },
    });
  });

  it('takes a chosen point, a second cluster and a policy, whose schedules it gets as kind DRILL', async () => {
    const policyId = (await createPolicy(client)).id;
    const created = expectStatus<{ id: string }>(
      await client.post('/restore-drills', drill({ recoveryPointId: pointId, targetClusterId: otherClusterId, namespacePrefix: 'check-', policyId })),
      201,
    );
    expect(created).toMatchObject({ recoveryPointId: pointId, targetClusterId: otherClusterId, namespacePrefix: 'check-', policyId });
    const synced = launcher.schedules.filter((s) => s.definitionId === created.id).at(-1);
    expect([synced?.kind, synced?.clusterId, synced?.entries.length]).toEqual(['DRILL', otherClusterId, 1]);
  });

  it('starts a run of the latest point with runNow', async () => {
    const before = launcher.runs.length;
    const created = expectStatus<{ id: string }>(await client.post('/restore-drills', drill({ runNow: true })), 201);
    const run = launcher.runs.slice(before).find((r) => r.definitionId === created.id);
    expect(run?.kind).toBe('DRILL');
    expect(run?.kind === 'DRILL' && [run.input.recoveryPointId, run.input.targetClusterId, run.input.namespacePrefix]).toEqual([pointId, clusterId, 'drill-']);
  });

  it('refuses to run a drill of a backup with no recovery point, and saves nothing', async () => {
    const response = await client.post('/restore-drills', drill({ name: 'nothing-yet', backupDefinitionId: emptyBackupId, runNow: true }));
    expect(response.statusCode).toBe(409);
    const listed = expectStatus<{ items: { name: string }[] }>(await client.get('/restore-drills?name=nothing-yet'), 200);
    expect(listed.items).toEqual([]);
  });

  it('refuses references that are not a backup definition or not its point, naming the field', async () => {
    const restore = expectStatus<{ id: string }>(await client.post('/restores', { name: `restore-${++n}`, recoveryPointId: pointId, targetClusterId: clusterId }), 201);
    const notBackup = await client.post('/restore-drills', drill({ backupDefinitionId: restore.id }));
    expect([notBackup.statusCode, fieldOf(notBackup)]).toEqual([422, 'body.backupDefinitionId']);
    const otherPoint = await client.post('/restore-drills', drill({ recoveryPointId: foreignPointId }));
    expect([otherPoint.statusCode, fieldOf(otherPoint)]).toEqual([422, 'body.recoveryPointId']);
  });

  it('refuses a prefix that cannot start a namespace name and a readiness timeout out of range', async () => {
    const prefix = await client.post('/restore-drills', drill({ namespacePrefix: 'Drill_' }));
    expect([prefix.statusCode, fieldOf(prefix)]).toEqual([400, 'body.namespacePrefix']);
    const timeout = await client.post('/restore-drills', drill({ readinessTimeoutMinutes: 0 }));
    expect([timeout.statusCode, fieldOf(timeout)]).toEqual([400, 'body.readinessTimeoutMinutes']);
  });
});
