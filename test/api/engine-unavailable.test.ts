import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyEntry } from '../../lib/common/secrets.js';
import { lazyTemporalClient, type TemporalClientHandle } from '../../lib/common/temporal/client.js';
import { isEngineUnreachable } from '../../lib/common/temporal/engine-unreachable.js';
import { OrganizationPayloadKeys } from '../../lib/db/organization-payload-keys.js';
import { stackEnv } from '../support/stack-env.js';
import { createCluster, createPolicy, createS3Target, expectStatus, insertJob, s3TargetBody, insertRecoveryPoint } from './helpers/fixtures.js';
import { authorized, startTestApi } from './helpers/test-api.js';
import type { Client, TestApi, TestOrganization } from './helpers/test-api.js';

/**
 * The API pointed at a Temporal frontend address nothing listens on (a port just closed): it starts, and
 * everything that needs the engine answers 503 engine-unavailable through the Temporal client's own error,
 * with nothing half-written. Nothing shared is stopped.
 */
async function deadAddress(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `127.0.0.1:${port}`;
}

let api: TestApi;
let org: TestOrganization;
let client: Client;
let clusterId: string;
let targetId: string;

beforeAll(async () => {
  api = await startTestApi({ env: { TEMPORAL_ADDRESS: await deadAddress(), HAVEN_PAYLOAD_KEY: generateKeyEntry('p1') } });
  org = await api.createOrganization();
  client = authorized(api.app, org.keys.admin);
  // A target's verification Schedule lives in Temporal: with it off, saving the target needs no engine.
  targetId = (await createS3Target(client, { verification: { enabled: false } })).id;
  clusterId = (await createCluster(client, { defaultStorageTargetId: targetId })).id;
});
afterAll(async () => {
  await api?.close();
});

function expectEngineUnavailable(response: { statusCode: number; body: string }) {
  const problem = expectStatus<{ code: string; detail: string }>(response as Parameters<typeof expectStatus>[0], 503);
  expect(problem.code).toBe('engine-unavailable');
  // The answer says what happened without the installation's internals (no address, no gRPC text).
  expect(problem.detail).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|UNAVAILABLE/);
}

const jobCount = async () => expectStatus<{ items: unknown[] }>(await client.get('/jobs'), 200).items.length;

describe('Temporal unreachable', () => {
  // A restore has no schedules, so saving one needs no engine: only running it does.
  it('running a definition answers 503 and records no job', async () => {
    const recoveryPointId = (await insertRecoveryPoint(api.running.database.db, { orgId: org.orgId, storageTargetId: targetId, namespaces: ['shop'] })).id;
    const definition = expectStatus<{ id: string }>(await client.post('/restores', { name: 'back', recoveryPointId, targetClusterId: clusterId }), 201);
    const before = await jobCount();
    expectEngineUnavailable(await client.post(`/restores/${definition.id}/actions/run`));
    expect(await jobCount()).toBe(before);
  });

  it('creating with runNow answers 503 and saves neither the definition nor a job', async () => {
    const recoveryPointId = (await insertRecoveryPoint(api.running.database.db, { orgId: org.orgId, storageTargetId: targetId, namespaces: ['shop'] })).id;
    const before = await jobCount();
    expectEngineUnavailable(await client.post('/restores', { name: 'at-once', recoveryPointId, targetClusterId: clusterId, runNow: true }));
    expect(expectStatus<{ items: unknown[] }>(await client.get('/restores?name=at-once'), 200).items).toEqual([]);
    expect(await jobCount()).toBe(before);
  });

  it('saving a backup definition (its schedules live in Temporal) answers 503 and saves nothing', async () => {
    expectEngineUnavailable(await client.post('/backup-definitions', { name: 'nightly', clusterId }));
    expect(expectStatus<{ items: unknown[] }>(await client.get('/backup-definitions?name=nightly'), 200).items).toEqual([]);
  });

  it('a definition with a policy (its schedules live in Temporal) answers 503 and is not saved', async () => {
    const policy = await createPolicy(client, { schedules: [{ cron: '30 2 * * *', retentionDays: 9 }] });
    expectEngineUnavailable(await client.post('/backup-definitions', { name: 'scheduled', clusterId, policyId: policy.id }));
    expect(expectStatus<{ items: unknown[] }>(await client.get('/backup-definitions?name=scheduled'), 200).items).toEqual([]);
  });

  it('saving a storage target whose verification is scheduled answers 503 and saves nothing', async () => {
    expectEngineUnavailable(await client.post('/storage-targets', s3TargetBody({ name: 'verified' })));
    expect(expectStatus<{ items: unknown[] }>(await client.get('/storage-targets?name=verified'), 200).items).toEqual([]);
  });

  it('cancelling a job and deleting a recovery point answer 503; both stay as they were', async () => {
    const job = await insertJob(api.running.database.db, { orgId: org.orgId, status: 'RUNNING' });
    expectEngineUnavailable(await client.post(`/jobs/${job.id}/actions/cancel`));
    expect(expectStatus<{ status: string }>(await client.get(`/jobs/${job.id}`), 200).status).toBe('RUNNING');
    const point = await insertRecoveryPoint(api.running.database.db, { orgId: org.orgId, storageTargetId: targetId });
    expectEngineUnavailable(await client.delete(`/recovery-points/${point.id}`));
    expectStatus(await client.get(`/recovery-points/${point.id}`), 200);
  });

  it('what does not need the engine still answers', async () => {
    expect(expectStatus<{ items: { id: string }[] }>(await client.get('/clusters'), 200).items.map((c) => c.id)).toContain(clusterId);
  });
});

describe('recognising an unreachable engine', () => {
  let reachable: TemporalClientHandle;
  beforeAll(() => {
    reachable = lazyTemporalClient({ address: stackEnv('TEMPORAL_ADDRESS'), namespace: 'default' }, new OrganizationPayloadKeys(api.running.database.db, api.config.workflowEngine!.payloadKeyring));
  });
  afterAll(async () => {
    await reachable?.close();
  });

  it('a refusal from a running Temporal is not mistaken for an outage', async () => {
    const refusal = await reachable.client.workflow.getHandle('no-such-workflow').describe().catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(Error);
    expect(isEngineUnreachable(refusal)).toBe(false);
    expect(isEngineUnreachable(new Error('UNAVAILABLE'))).toBe(false);
  });
});
