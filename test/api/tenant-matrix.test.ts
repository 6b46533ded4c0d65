import { eq, getTableColumns, getTableName, is } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { PgTable } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyEntry } from '../../lib/common/secrets.js';
import * as schema from '../../lib/db/schema/index.js';
import { stackEnv, uniqueName } from '../support/stack-env.js';
import {
  createBackupDefinition,
  createCluster,
  createHook,
  createPolicy,
  createS3Target,
  expectStatus,
  insertJob,
  insertRecoveryPoint,
  s3TargetBody,
} from './helpers/fixtures.js';
import { RecordingLauncher } from './helpers/recording-launcher.js';
import { TENANT_MATRIX } from './helpers/tenant-matrix.js';
import type { AttackerRecords, Attempt, VictimRecords } from './helpers/tenant-matrix.js';
import { authorized, startTestApi } from './helpers/test-api.js';
import type { Client, TestApi } from './helpers/test-api.js';

let api: TestApi;
const launcher = new RecordingLauncher();
let operations: string[];
let a: VictimRecords;
let b: AttackerRecords;
let attacker: Client;

/** Every row of organization A, table by table, as the database holds it. */
async function victimRows(): Promise<Record<string, unknown[]>> {
  const db = api.running.database.db;
  const snapshot: Record<string, unknown[]> = {};
  for (const table of Object.values(schema)) {
    if (!is(table, PgTable)) continue;
    const columns = getTableColumns(table) as Record<string, PgColumn>;
    const owner = table === schema.organizations ? columns.id : columns.orgId;
    if (!owner) continue;
    const rows = await db.select().from(table).where(eq(owner, a.orgId));
    snapshot[getTableName(table)] = rows.map((row) => JSON.stringify(row)).sort();
  }
  return snapshot;
}

beforeAll(async () => {
  api = await startTestApi({
    launcher,
    // The codec endpoint and payload keys need the installation key; the launcher stands in for Temporal.
    env: { TEMPORAL_ADDRESS: stackEnv('TEMPORAL_ADDRESS'), HAVEN_PAYLOAD_KEY: generateKeyEntry('p1'), HAVEN_CONTROL_TASK_QUEUE: uniqueName('tenant-matrix') },
  });
  document = (await api.app.inject({ url: '/openapi.json' })).json();
  operations = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));

  const db = api.running.database.db;
  const victimOrg = await api.createOrganization('victim');
  const victim = authorized(api.app, victimOrg.keys.admin);
  const victimName = (what: string) => ({ name: uniqueName(`victim-${what}`) });
  const target = await createS3Target(victim, victimName('target'));
  const cluster = await createCluster(victim, { ...victimName('cluster'), defaultStorageTargetId: target.id });
  const destination = await createCluster(victim, victimName('replica'));
  const policy = await createPolicy(victim, victimName('policy'));
  const preBackup = await createHook(victim, victimName('pre-backup'));
  const postBackup = await createHook(victim, { ...victimName('post-backup'), type: 'POST_BACKUP' });
  const postRestore = await createHook(victim, { ...victimName('post-restore'), type: 'POST_RESTORE' });
  const backup = await createBackupDefinition(victim, cluster.id, {
    ...victimName('backup'),
    policyId: policy.id,
    hooks: { preBackup: [preBackup.id], postBackup: [postBackup.id] },
    advanced: { destinationStorageTargetId: target.id },
  });
  const replication = expectStatus<{ id: string; name: string }>(
    await victim.post('/replication-definitions', {
      name: uniqueName('victim-replication'),
      sourceClusterId: cluster.id,
      destination: { clusterId: destination.id, namespaces: ['shop'] },
      policyId: policy.id,
      runNow: false,
      hooks: { destinationPostRestore: [postRestore.id] },
    }),
    201,
  );
  const recoveryPoint = await insertRecoveryPoint(db, { orgId: victimOrg.orgId, storageTargetId: target.id, clusterId: cluster.id });
  const restore = expectStatus<{ id: string; name: string }>(
    await victim.post('/restores', { name: uniqueName('victim-restore'), recoveryPointId: recoveryPoint.id, targetClusterId: cluster.id, hooks: { postRestore: [postRestore.id] } }),
    201,
  );
  const job = await insertJob(db, { orgId: victimOrg.orgId, status: 'RUNNING' });
  const userEmail = `${uniqueName('victim')}@example.com`;
  const user = expectStatus<{ id: string }>(await victim.post('/users', { email: userEmail, displayName: 'Victim', role: 'operator' }), 201);
  const apiKey = expectStatus<{ id: string; name: string }>(await victim.post('/api-keys', { ...victimName('ci-key'), role: 'viewer', userId: user.id }), 201);
  const sealed = expectStatus<{ payloads: unknown[] }>(
    await victim.post('/codec/encode', { payloads: [{ metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('"victim secret"').toString('base64') }] }),
    200,
  );
  a = {
    orgId: victimOrg.orgId,
    storageTarget: target.id,
    cluster: cluster.id,
    policy: policy.id,
    preBackupHook: preBackup.id,
    postBackupHook: postBackup.id,
    postRestoreHook: postRestore.id,
    backup: backup.id,
    replication: replication.id,
    restore: restore.id,
    recoveryPoint: recoveryPoint.id,
    job: job.id,
    user: user.id,
    userEmail,
    apiKey: apiKey.id,
    payload: sealed.payloads[0],
    names: [target.name, cluster.name, destination.name, policy.name, preBackup.name, postBackup.name, postRestore.name, backup.name, replication.name, restore.name, apiKey.name],
  };

  const attackerOrg = await api.createOrganization('attacker');
  attacker = authorized(api.app, attackerOrg.keys.admin);
  const ownCluster = await createCluster(attacker);
  const replicaCluster = await createCluster(attacker);
  const ownTarget = await createS3Target(attacker);
  const ownPoint = await insertRecoveryPoint(db, { orgId: attackerOrg.orgId, storageTargetId: ownTarget.id, clusterId: ownCluster.id });
  const ownBackup = await attacker.post('/backup-definitions', { name: uniqueName('backup'), clusterId: ownCluster.id });
  const ownReplication = await attacker.post('/replication-definitions', {
    name: uniqueName('replication'),
    sourceClusterId: ownCluster.id,
    destination: { clusterId: replicaCluster.id, namespaces: ['shop'] },
    runNow: false,
  });
  const ownRestore = await attacker.post('/restores', { name: uniqueName('restore'), recoveryPointId: ownPoint.id, targetClusterId: ownCluster.id });
  b = {
    cluster: ownCluster.id,
    replicaCluster: replicaCluster.id,
    clusterVersion: String((await attacker.get(`/clusters/${ownCluster.id}`)).headers.etag),
    backup: expectStatus<{ id: string }>(ownBackup, 201).id,
    backupVersion: String(ownBackup.headers.etag),
    replication: expectStatus<{ id: string }>(ownReplication, 201).id,
    replicationVersion: String(ownReplication.headers.etag),
    restore: expectStatus<{ id: string }>(ownRestore, 201).id,
    restoreVersion: String(ownRestore.headers.etag),
    recoveryPoint: ownPoint.id,
    storageTargetBody: s3TargetBody(),
  };
});
afterAll(() => api?.close());

let document: { paths: Record<string, Record<string, unknown>> };

/** A's ids and names that the request itself does not carry: B must not read them in any answer. */
function secretsOutside(attempt: Attempt): string[] {
  const sent = attempt.url + JSON.stringify(attempt.body ?? null);
  const secrets = [a.orgId, a.storageTarget, a.cluster, a.policy, a.preBackupHook, a.postBackupHook, a.postRestoreHook, a.backup, a.replication, a.restore, a.recoveryPoint, a.job, a.user, a.userEmail, a.apiKey, ...a.names];
  return secrets.filter((secret) => !sent.includes(secret));
}

async function send(attempt: Attempt) {
  const headers = attempt.headers ?? {};
  switch (attempt.method) {
    case 'GET':
      return attacker.get(attempt.url, headers);
    case 'DELETE':
      return attacker.delete(attempt.url, headers);
    case 'POST':
      return attacker.post(attempt.url, attempt.body, headers);
    case 'PUT':
      return attacker.put(attempt.url, attempt.body, headers);
  }
}

describe('the tenant matrix', () => {
  it('has a row for every operation of /openapi.json, and none for operations that are gone', () => {
    const rows = Object.keys(TENANT_MATRIX);
    expect(operations.filter((operation) => !rows.includes(operation)), 'operations without a row in test/api/helpers/tenant-matrix.ts').toEqual([]);
    expect(rows.filter((row) => !operations.includes(row)), 'rows for operations /openapi.json no longer has').toEqual([]);
  });

  it('gives organization B nothing of organization A through any operation, and changes nothing of A', async () => {
    const before = await victimRows();
    const launched = JSON.stringify(launcher);
    const failures: string[] = [];
    let attempts = 0;
    for (const operation of operations) {
      const row = TENANT_MATRIX[operation];
      if (!row) continue;
      const planned = row(a, b);
      if (planned.length === 0) failures.push(`${operation}: the row plans no request`);
      for (const attempt of planned) {
        attempts++;
        const response = await send(attempt);
        const what = `${operation} (${attempt.method} ${attempt.url} ${JSON.stringify(attempt.body ?? '')})`;
        if (response.statusCode !== attempt.expect.status) {
          failures.push(`${what}: expected ${attempt.expect.status}, got ${response.statusCode} ${response.body}`);
          continue;
        }
        const body = response.body === '' ? undefined : response.json<Record<string, unknown>>();
        if (attempt.expect.status === 404 && body?.code !== 'not-found') failures.push(`${what}: 404 without code not-found: ${response.body}`);
        if ('field' in attempt.expect) {
          const fields = ((body?.errors ?? []) as { field: string }[]).map((error) => error.field);
          if (body?.code !== 'invalid-reference' || !fields.includes(attempt.expect.field)) {
            failures.push(`${what}: expected invalid-reference on ${attempt.expect.field}, got ${response.body}`);
          }
        }
        if ('empty' in attempt.expect && attempt.expect.empty && (body?.items as unknown[] | undefined)?.length !== 0) {
          failures.push(`${what}: expected an empty list, got ${response.body}`);
        }
        const leaked = secretsOutside(attempt).filter((secret) => response.body.includes(secret));
        if (leaked.length > 0) failures.push(`${what}: the answer holds A's ${leaked.join(', ')}`);
      }
    }
    expect(failures).toEqual([]);
    expect(attempts).toBeGreaterThan(operations.length);
    expect(await victimRows()).toEqual(before);
    // Nothing reached the workflow engine on A's behalf: no run, cancel, schedule change or deletion.
    const sinceMatrix = JSON.stringify(launcher).slice(launched.length - 1);
    for (const id of [a.backup, a.replication, a.restore, a.job, a.recoveryPoint, a.orgId]) expect(sinceMatrix).not.toContain(id);
  });
});
