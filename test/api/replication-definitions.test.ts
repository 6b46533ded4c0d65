import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCluster, createHook, createPolicy, createS3Target, expectStatus } from './helpers/fixtures.js';
import { RecordingLauncher } from './helpers/recording-launcher.js';
import { authorized, startTestApi } from './helpers/test-api.js';
import type { Client, TestApi } from './helpers/test-api.js';

let api: TestApi;
let client: Client;
let source: string;
let destination: string;

beforeAll(async () => {
  api = await startTestApi();
  const org = await api.createOrganization();
  client = authorized(api.app, org.keys.admin);
  source = (await createCluster(client)).id;
  destination = (await createCluster(client)).id;
});
afterAll(() => api?.close());

let n = 0;
const replication = (extra: Record<string, unknown> = {}) => ({
  name: `r-${++n}`,
  sourceClusterId: source,
  destination: { clusterId: destination, namespaces: ['shop'] },
  runNow: false,
  ...extra,
});

describe('replication definitions', () => {
  it('stores selections, transforms and hooks with their defaults and says the policy only schedules', async () => {
    const policy = await createPolicy(client);
    const post = await createHook(client, { type: 'POST_RESTORE' });
    const created = expectStatus(await client.post('/replication-definitions', replication({ policyId: policy.id, hooks: { destinationPostRestore: [post.id] } })), 201);
    expect(created).toMatchObject({
      sourceClusterId: source,
      destination: { clusterId: destination, namespaces: ['shop'] },
      policyId: policy.id,
      policyUsage: 'SCHEDULE_ONLY',
      transforms: { namespacePrefix: '', namespaceSuffix: '', namespaceMapping: {}, storageClassMapping: {}, preserveNodePorts: false },
      hooks: { sourcePreBackup: [], sourcePostBackup: [], destinationPostRestore: [post.id] },
      advanced: { concurrentPvs: 2, totalConcurrentFiles: 24 },
    });
    expect(created).not.toHaveProperty('runNow');
  });

  it('requires destination namespaces', async () => {
    const response = expectStatus(await client.post('/replication-definitions', replication({ destination: { clusterId: destination, namespaces: [] } })), 400);
    expect(response.errors).toEqual([{ field: 'body.destination.namespaces', reason: 'must NOT have fewer than 1 items' }]);
    expect(expectStatus(await client.post('/replication-definitions', replication({ destination: { clusterId: destination } })), 400).errors).toEqual([
      { field: 'body.destination.namespaces', reason: 'is required' },
    ]);
  });

  it('refuses a prefix/suffix together with a mapping, and two namespaces mapped to one', async () => {
    const both = expectStatus(
      await client.post('/replication-definitions', replication({ transforms: { namespacePrefix: 'dr-', namespaceMapping: { shop: 'shop2' } } })),
      422,
    );
    expect(both.errors).toEqual([{ field: 'body.transforms.namespaceMapping', reason: 'use either a prefix/suffix or a mapping, not both' }]);
    const clash = expectStatus(
      await client.post('/replication-definitions', replication({ transforms: { namespaceMapping: { a: 'x', b: 'x' } } })),
      422,
    );
    expect(clash.errors).toEqual([{ field: 'body.transforms.namespaceMapping.b', reason: 'maps to "x" as "a" does' }]);
    expectStatus(await client.post('/replication-definitions', replication({ transforms: { namespacePrefix: '-bad' } })), 400);
  });

  it('never lets a run delete its own source namespaces on the same cluster', async () => {
    const sameCluster = { clusterId: source, namespaces: ['shop'] };
    const full = expectStatus(await client.post('/replication-definitions', replication({ destination: sameCluster })), 422);
    expect(full.errors).toEqual([{ field: 'body.destination.namespaces.0', reason: expect.stringContaining('each run would delete the source') }]);
    const selected = { scope: 'SELECTED_NAMESPACES', namespaces: ['shop'] };
    expectStatus(await client.post('/replication-definitions', replication({ destination: sameCluster, selection: selected })), 422);
    const renamed = replication({
      destination: { clusterId: source, namespaces: ['shop-copy'] },
      selection: selected,
      transforms: { namespaceSuffix: '-copy' },
    });
    expectStatus(await client.post('/replication-definitions', renamed), 201);
  });

  it('with runNow (the default) and no workflow engine, answers 501 and saves nothing', async () => {
    const target = await createS3Target(client);
    const body = replication({ runNow: undefined, advanced: { destinationStorageTargetId: target.id } });
    const response = expectStatus(await client.post('/replication-definitions', body), 501);
    expect(response).toMatchObject({ code: 'workflows-unavailable', status: 501 });
    const list = expectStatus<{ items: { name: string }[] }>(await client.get(`/replication-definitions?name=${body.name}`), 200);
    expect(list.items).toEqual([]);
    expect(expectStatus<{ items: unknown[] }>(await client.get('/jobs'), 200).items).toEqual([]);
  });
});

describe('replication run-now with a workflow engine', () => {
  it('saves the definition and starts its first run in one step; without a destination it saves nothing', async () => {
    const launcher = new RecordingLauncher();
    const withEngine = await startTestApi({ launcher });
    try {
      const admin = authorized(withEngine.app, (await withEngine.createOrganization()).keys.admin);
      const [from, to] = [await createCluster(admin), await createCluster(admin)];
      const body = { name: 'dr', sourceClusterId: from.id, destination: { clusterId: to.id, namespaces: ['shop'] } };
      const noDestination = expectStatus(await admin.post('/replication-definitions', body), 422);
      expect(noDestination).toMatchObject({ errors: [{ field: 'advanced.destinationStorageTargetId' }] });
      expect(expectStatus<{ items: unknown[] }>(await admin.get('/replication-definitions'), 200).items).toEqual([]);

      const target = await createS3Target(admin);
      const created = expectStatus<{ id: string }>(
        await admin.post('/replication-definitions', { ...body, advanced: { destinationStorageTargetId: target.id } }),
        201,
      );
      expect(launcher.runs).toHaveLength(1);
      expect(launcher.runs[0]).toMatchObject({
        kind: 'REPLICATION',
        definitionId: created.id,
        input: { storageTargetId: target.id, destinationClusterId: to.id, destinationNamespaces: ['shop'] },
      });
      const jobs = expectStatus<{ items: { definitionId: string; status: string }[] }>(await admin.get(`/jobs?definitionId=${created.id}`), 200);
      expect(jobs.items).toEqual([expect.objectContaining({ definitionId: created.id, status: 'RUNNING' })]);
    } finally {
      await withEngine.close();
    }
  });
});
