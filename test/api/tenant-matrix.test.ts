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
import { cloudAccountBody, HOME, useMotoEndpoints } from '../rds/helpers/aws.js';
import { insertRdsDatabase, insertRdsPoint } from '../rds/helpers/records.js';
import { idQueryParameters, operationsOf, pagedLists, verdict, withNeverExistingIds } from './helpers/api-document.js';
import type { ApiDocument } from './helpers/api-document.js';
import { TENANT_MATRIX, webhookChannelBody } from './helpers/tenant-matrix.js';
import type { AttackerRecords, Attempt, VictimRecords } from './helpers/tenant-matrix.js';
import { authorized, startTestApi } from './helpers/test-api.js';
import { API_PREFIX } from '../../services/api/app.js';
import type { Role } from '../../lib/common/enums.js';
import type { Client, TestApi } from './helpers/test-api.js';

let api: TestApi;
const launcher = new RecordingLauncher();
let operations: string[];
let a: VictimRecords;
let b: AttackerRecords;
let attacker: Client;
/** B's keys of each role: a weaker key must learn no more of A than B's admin does. */
let attackers: Record<Role, Client>;
/** A's admin, to page A's own lists. */
let victim: Client;

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
  useMotoEndpoints();
  api = await startTestApi({
    launcher,
    // The codec endpoint and payload keys need the installation key; the launcher stands in for Temporal.
    env: { TEMPORAL_ADDRESS: stackEnv('TEMPORAL_ADDRESS'), HAVEN_PAYLOAD_KEY: generateKeyEntry('p1'), HAVEN_CONTROL_TASK_QUEUE: uniqueName('tenant-matrix') },
  });
  document = (await api.app.inject({ url: '/openapi.json' })).json();
  operations = operationsOf(document);

  const db = api.running.database.db;
  const victimOrg = await api.createOrganization('victim');
  victim = authorized(api.app, victimOrg.keys.admin);
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
  const account = expectStatus<{ id: string; name: string }>(await victim.post('/cloud-accounts', await cloudAccountBody(uniqueName('victim-aws'))), 201);
  const rdsBody = (what: string) => ({ ...victimName(what), cloudAccountId: account.id, region: HOME, databaseType: 'INSTANCE', databaseIdentifier: 'victim-db', policyId: policy.id });
  const rdsBackup = expectStatus<{ id: string; name: string }>(await victim.post('/rds-backup-definitions', rdsBody('rds')), 201);
  const rdsDatabase = await insertRdsDatabase(db, victimOrg.orgId, account.id, 'victim-db');
  const rdsPoint = await insertRdsPoint(db, victimOrg.orgId, account.id, rdsBackup);
  const drill = expectStatus<{ id: string; name: string }>(
    await victim.post('/restore-drills', { name: uniqueName('victim-drill'), backupDefinitionId: backup.id, recoveryPointId: null, policyId: policy.id }),
    201,
  );
  const job = await insertJob(db, { orgId: victimOrg.orgId, status: 'RUNNING' });
  // A second of each record A lists, so every list of A's has a next page and a cursor to steal.
  const seconds = [
    await createS3Target(victim, victimName('target-2')),
    await createPolicy(victim, victimName('policy-2')),
    await createBackupDefinition(victim, cluster.id, victimName('backup-2')),
    expectStatus<{ id: string; name: string }>(
      await victim.post('/replication-definitions', { ...victimName('replication-2'), sourceClusterId: cluster.id, destination: { clusterId: destination.id, namespaces: ['shop'] }, runNow: false }),
      201,
    ),
    expectStatus<{ id: string; name: string }>(await victim.post('/restores', { ...victimName('restore-2'), recoveryPointId: recoveryPoint.id, targetClusterId: cluster.id }), 201),
    expectStatus<{ id: string; name: string }>(await victim.post('/cloud-accounts', await cloudAccountBody(uniqueName('victim-aws-2'))), 201),
    expectStatus<{ id: string; name: string }>(await victim.post('/rds-backup-definitions', rdsBody('rds-2')), 201),
    expectStatus<{ id: string; name: string }>(await victim.post('/restore-drills', { ...victimName('drill-2'), backupDefinitionId: backup.id }), 201),
  ];
  const secondDatabase = await insertRdsDatabase(db, victimOrg.orgId, account.id, 'victim-db-2');
  await insertRecoveryPoint(db, { orgId: victimOrg.orgId, storageTargetId: target.id, clusterId: cluster.id });
  await insertJob(db, { orgId: victimOrg.orgId, status: 'COMPLETED' });
  const userEmail = `${uniqueName('victim')}@example.com`;
  const user = expectStatus<{ id: string }>(await victim.post('/users', { email: userEmail, displayName: 'Victim', role: 'operator' }), 201);
  const apiKey = expectStatus<{ id: string; name: string }>(await victim.post('/api-keys', { ...victimName('ci-key'), role: 'viewer', userId: user.id }), 201);
  const channel = expectStatus<{ id: string; name: string }>(await victim.post('/notification-channels', webhookChannelBody(uniqueName('victim-channel'))), 201);
  seconds.push(expectStatus<{ id: string; name: string }>(await victim.post('/notification-channels', webhookChannelBody(uniqueName('victim-channel-2'))), 201));
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
    drill: drill.id,
    recoveryPoint: recoveryPoint.id,
    cloudAccount: account.id,
    rdsBackup: rdsBackup.id,
    rdsDatabase,
    rdsPoint,
    job: job.id,
    user: user.id,
    userEmail,
    apiKey: apiKey.id,
    notificationChannel: channel.id,
    payload: sealed.payloads[0],
    names: [account.name, rdsBackup.name, 'victim-db', target.name, cluster.name, destination.name, policy.name, preBackup.name, postBackup.name, postRestore.name, backup.name, replication.name, restore.name, drill.name, apiKey.name, channel.name, ...seconds.map((record) => record.name)],
    others: [destination.id, secondDatabase, ...seconds.map((record) => record.id)],
  };

  const attackerOrg = await api.createOrganization('attacker');
  attackers = { admin: authorized(api.app, attackerOrg.keys.admin), operator: authorized(api.app, attackerOrg.keys.operator), viewer: authorized(api.app, attackerOrg.keys.viewer) };
  attacker = attackers.admin;
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
  const ownAccount = expectStatus<{ id: string }>(await attacker.post('/cloud-accounts', await cloudAccountBody(uniqueName('aws'))), 201);
  const ownRds = await attacker.post('/rds-backup-definitions', { name: uniqueName('rds'), cloudAccountId: ownAccount.id, region: HOME, databaseType: 'INSTANCE', databaseIdentifier: 'b-db' });
  const ownBackupId = expectStatus<{ id: string }>(ownBackup, 201).id;
  const ownDrill = await attacker.post('/restore-drills', { name: uniqueName('drill'), backupDefinitionId: ownBackupId });
  b = {
    cluster: ownCluster.id,
    replicaCluster: replicaCluster.id,
    clusterVersion: String((await attacker.get(`/clusters/${ownCluster.id}`)).headers.etag),
    backup: ownBackupId,
    backupVersion: String(ownBackup.headers.etag),
    replication: expectStatus<{ id: string }>(ownReplication, 201).id,
    replicationVersion: String(ownReplication.headers.etag),
    restore: expectStatus<{ id: string }>(ownRestore, 201).id,
    restoreVersion: String(ownRestore.headers.etag),
    drill: expectStatus<{ id: string }>(ownDrill, 201).id,
    drillVersion: String(ownDrill.headers.etag),
    recoveryPoint: ownPoint.id,
    storageTargetBody: s3TargetBody(),
    cloudAccount: ownAccount.id,
    cloudAccountBody: await cloudAccountBody(uniqueName('aws')),
    rdsBackup: expectStatus<{ id: string }>(ownRds, 201).id,
    rdsBackupVersion: String(ownRds.headers.etag),
  };
});
afterAll(() => api?.close());

let document: ApiDocument;

/** A's ids: what B may send (it knows them), never read back, and must not tell from ids that never existed. */
function victimIds(): string[] {
  return [a.orgId, a.storageTarget, a.cluster, a.policy, a.preBackupHook, a.postBackupHook, a.postRestoreHook, a.backup, a.replication, a.restore, a.drill, a.recoveryPoint, a.cloudAccount, a.rdsBackup, a.rdsDatabase, a.rdsPoint, a.job, a.user, a.apiKey, a.notificationChannel, ...a.others];
}

/** A's ids and names that the request itself does not carry: B must not read them in any answer. */
function secretsOutside(attempt: Attempt): string[] {
  const sent = attempt.url + JSON.stringify(attempt.body ?? null);
  return [...victimIds(), a.userEmail, ...a.names].filter((secret) => !sent.includes(secret));
}

function leaksIn(attempt: Attempt, body: string): string[] {
  return secretsOutside(attempt).filter((secret) => body.includes(secret));
}

async function send(attempt: Attempt, client: Client = attacker) {
  const headers = attempt.headers ?? {};
  switch (attempt.method) {
    case 'GET':
      return client.get(attempt.url, headers);
    case 'DELETE':
      return client.delete(attempt.url, headers);
    case 'POST':
      return client.post(attempt.url, attempt.body, headers);
    case 'PUT':
      return client.put(attempt.url, attempt.body, headers);
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
        const leaked = leaksIn(attempt, response.body);
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

  it('tries every id filter /openapi.json declares with one of A\'s ids', () => {
    const ids = victimIds();
    const untried = operations.flatMap((operation) => {
      const tried = (TENANT_MATRIX[operation]?.(a, b) ?? []).map((attempt) => new URL(attempt.url, 'http://api').searchParams);
      return idQueryParameters(document, operation)
        .filter((name) => !tried.some((query) => ids.includes(query.get(name) ?? '')))
        .map((name) => `${operation} ?${name}`);
    });
    expect(untried, 'id filters no row of test/api/helpers/tenant-matrix.ts tries with an id of A').toEqual([]);
  });

  it('pages every list with a cursor of A\'s without showing B anything of A\'s', async () => {
    const failures: string[] = [];
    const lists = pagedLists(document);
    let paged = 0;
    for (const operation of lists) {
      const path = operation.split(' ')[1]!.slice(API_PREFIX.length);
      // A list inside one record (a recovery point's resources) is reached through its record's id, which the
      // matrix proves refused; its cursors are positions in that record, holding nothing of the organization.
      if (path.includes('{')) continue;
      const first = await victim.get(`${path}?limit=1`);
      // Installation administration is no organization's: neither A nor B may list it.
      if (path.startsWith('/installation/')) continue;
      const cursor = expectStatus<{ nextCursor: string | null }>(first, 200).nextCursor;
      if (!cursor) {
        failures.push(`${operation}: A has no second page; give A two of these records`);
        continue;
      }
      const attempt: Attempt = { method: 'GET', url: `${path}?cursor=${encodeURIComponent(cursor)}`, expect: { status: 200 } };
      for (const client of Object.values(attackers)) {
        const response = await send(attempt, client);
        paged++;
        // A key whose role may not list is refused the same with or without a cursor.
        const refusal = response.statusCode === 200 ? undefined : verdict(response);
        if (refusal && refusal !== verdict(await send({ ...attempt, url: path }, client))) {
          failures.push(`${operation} with A's cursor: expected 200 or the role's refusal, got ${response.statusCode} ${response.body}`);
        }
        const leaked = leaksIn(attempt, response.body);
        if (leaked.length > 0) failures.push(`${operation} with A's cursor: the answer holds A's ${leaked.join(', ')}`);
      }
    }
    expect(failures).toEqual([]);
    expect(paged).toBeGreaterThanOrEqual(10 * 3);
  });

  it('answers B\'s admin, operator and viewer about A\'s ids as about ids that never existed, and changes nothing', async () => {
    const before = await victimRows();
    const launched = JSON.stringify(launcher);
    const failures: string[] = [];
    let compared = 0;
    for (const [role, client] of Object.entries(attackers)) {
      for (const operation of operations) {
        for (const attempt of TENANT_MATRIX[operation]?.(a, b) ?? []) {
          const control = withNeverExistingIds(attempt, victimIds());
          if (!control) continue;
          const what = `${role}: ${operation} (${attempt.method} ${attempt.url} ${JSON.stringify(attempt.body ?? '')})`;
          const response = await send(attempt, client);
          const leaked = leaksIn(attempt, response.body);
          if (leaked.length > 0) failures.push(`${what}: the answer holds A's ${leaked.join(', ')}`);
          // A 403 is no answer about A only if an id that never existed gets the very same one.
          const answer = verdict(response);
          const unknown = verdict(await send(control, client));
          compared++;
          if (answer !== unknown) failures.push(`${what}: answered "${answer}", but "${unknown}" for ids that never existed`);
          if (attempt.expect.status === 404 && response.statusCode !== 404 && response.statusCode !== 403) {
            failures.push(`${what}: expected 404 (or the refusal every id gets), got ${response.statusCode} ${response.body}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(compared).toBeGreaterThan(3 * 50);
    expect(await victimRows()).toEqual(before);
    const sinceMatrix = JSON.stringify(launcher).slice(launched.length - 1);
    for (const id of [a.backup, a.replication, a.restore, a.job, a.recoveryPoint, a.orgId]) expect(sinceMatrix).not.toContain(id);
  });
});
