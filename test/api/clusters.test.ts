import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { hashSecretToken } from '../../lib/common/secret-tokens.js';
import { AGENT_LIVENESS_WINDOW_MS } from '../../lib/domain/cluster-status.js';
import { createBackupDefinition, createCluster, createS3Target, expectStatus, insertRecoveryPoint } from './helpers/fixtures.js';
import { authorized, putCurrent, startTestApi } from './helpers/test-api.js';
import type { Client, TestApi, TestOrganization } from './helpers/test-api.js';

const now = new Date('2025-03-01T12:00:00Z');
const polls = new Map<string, Date>();
let api: TestApi;
let org: TestOrganization;
let operator: Client;

beforeAll(async () => {
  api = await startTestApi({
    clock: { now: () => now },
    liveness: { lastPollTimes: async (ids) => new Map([...polls].filter(([id]) => ids.includes(id))) },
  });
  org = await api.createOrganization();
  operator = authorized(api.app, org.keys.operator);
});
afterAll(() => api?.close());

describe('cluster registration', () => {
  it('returns the agent manifest with a per-cluster token, shown once and stored hashed', async () => {
    const created = await createCluster(operator, { name: 'prod' });
    expect(created).toMatchObject({ name: 'prod', status: 'PENDING', kubeletPodsDir: '/var/lib/kubelet/pods', defaultStorageTargetId: null });
    expect(created.agentToken).toMatch(/^hvc_/);
    const documents = parseAllDocuments(created.agentManifest).map((d) => d.toJS() as { kind: string; spec?: unknown; stringData?: { token: string } });
    expect(documents.map((d) => d.kind)).toEqual(['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Secret', 'Deployment', 'ClusterRole', 'ClusterRoleBinding']);
    expect(documents[4]?.stringData?.token).toBe(created.agentToken);
    // The agent is told which cluster it is and where the gateway is; never a payload key or Temporal's address.
    expect(JSON.stringify(documents[5])).toContain(JSON.stringify({ name: 'HAVEN_CLUSTER_ID', value: created.id }));
    expect(JSON.stringify(documents[5])).toContain('HAVEN_GATEWAY_ADDRESS');
    expect(created.agentManifest).not.toMatch(/HAVEN_PAYLOAD_KEY|TEMPORAL_ADDRESS/);

    const read = await operator.get(`/clusters/${created.id}`);
    const list = await operator.get('/clusters');
    for (const body of [read.body, list.body]) {
      expect(body).not.toContain(created.agentToken);
      expect(body).not.toContain('agentManifest');
    }
    const stored = await api.running.database.pool.query('select agent_token_hash from clusters where id = $1', [created.id]);
    expect(stored.rows[0].agent_token_hash).toBe(hashSecretToken(created.agentToken));
  });

  it('issues a new token that replaces the old one', async () => {
    const created = await createCluster(operator);
    const rotated = expectStatus<{ agentToken: string; agentManifest: string }>(await operator.post(`/clusters/${created.id}/agent-token`), 200);
    expect(rotated.agentToken).not.toBe(created.agentToken);
    expect(rotated.agentManifest).toContain(rotated.agentToken);
    const stored = await api.running.database.pool.query('select agent_token_hash from clusters where id = $1', [created.id]);
    expect(stored.rows[0].agent_token_hash).toBe(hashSecretToken(rotated.agentToken));
  });

  it('keeps a custom kubelet pods directory and refuses a relative one', async () => {
    const created = await createCluster(operator, { kubeletPodsDir: '/var/snap/microk8s/common/var/lib/kubelet/pods' });
    expect(expectStatus(await operator.get(`/clusters/${created.id}`), 200).kubeletPodsDir).toBe('/var/snap/microk8s/common/var/lib/kubelet/pods');
    const refused = expectStatus(await operator.post('/clusters', { name: 'rel', kubeletPodsDir: 'var/lib/kubelet' }), 400);
    expect(refused.errors).toEqual([{ field: 'body.kubeletPodsDir', reason: 'must match pattern "^/[^\\x00]*$"' }]);
  });

  it('rejects a tag key that is not a label key', async () => {
    const refused = expectStatus(await operator.post('/clusters', { name: 'tags', tags: { 'bad key': 'x' } }), 400);
    expect(refused.errors).toEqual([{ field: 'body.tags.bad key', reason: 'key must match pattern "^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$"' }]);
  });
});

describe('cluster status from agent liveness', () => {
  it('is PENDING before any agent, ACTIVE while one polls, INACTIVE once it stops', async () => {
    const cluster = await createCluster(operator);
    expect(expectStatus(await operator.get(`/clusters/${cluster.id}`), 200).status).toBe('PENDING');
    polls.set(cluster.id, new Date(now.getTime() - 1000));
    expect(expectStatus(await operator.get(`/clusters/${cluster.id}`), 200)).toMatchObject({
      status: 'ACTIVE',
      agentLastSeenAt: new Date(now.getTime() - 1000).toISOString(),
    });
    polls.set(cluster.id, new Date(now.getTime() - AGENT_LIVENESS_WINDOW_MS - 1));
    expect(expectStatus(await operator.get(`/clusters/${cluster.id}`), 200).status).toBe('INACTIVE');
  });
});

describe('cluster updates', () => {
  it('needs If-Match: 428 without it, 412 with a stale one', async () => {
    const cluster = await createCluster(operator, { name: 'versioned' });
    expect(expectStatus(await operator.put(`/clusters/${cluster.id}`, { name: 'versioned' }), 428)).toMatchObject({ code: 'precondition-required' });
    const first = await putCurrent(operator, `/clusters/${cluster.id}`, () => ({ name: 'versioned', description: 'first editor' }));
    expect(expectStatus(first, 200)).toMatchObject({ version: 2, description: 'first editor' });
    expect(first.headers.etag).toBe('"2"');
    const stale = expectStatus(await operator.put(`/clusters/${cluster.id}`, { name: 'versioned', description: 'second editor' }, { 'if-match': '"1"' }), 412);
    expect(stale).toMatchObject({ code: 'version-mismatch' });
    expect(expectStatus(await operator.get(`/clusters/${cluster.id}`), 200).description).toBe('first editor');
  });

  it('sets a default destination only to a storage target of the organization', async () => {
    const target = await createS3Target(authorized(api.app, org.keys.admin));
    const cluster = await createCluster(operator, { defaultStorageTargetId: target.id });
    expect(expectStatus(await operator.get(`/clusters/${cluster.id}`), 200).defaultStorageTargetId).toBe(target.id);
    const refused = expectStatus(await operator.post('/clusters', { name: 'ghost-target', defaultStorageTargetId: '00000000-0000-4000-8000-000000000000' }), 422);
    expect(refused).toMatchObject({ code: 'invalid-reference', errors: [{ field: 'body.defaultStorageTargetId' }] });
  });
});

describe('cluster deletion', () => {
  it('is refused while a definition references the cluster, naming the definitions', async () => {
    const cluster = await createCluster(operator);
    const definition = await createBackupDefinition(operator, cluster.id);
    const refused = expectStatus(await operator.delete(`/clusters/${cluster.id}`), 409);
    expect(refused).toMatchObject({
      code: 'still-referenced',
      references: [{ kind: 'backup-definition', id: definition.id, name: definition.name }],
    });
    expect(refused.detail).toContain(definition.name);
  });

  it('leaves recovery points in place until they expire', async () => {
    const admin = authorized(api.app, org.keys.admin);
    const target = await createS3Target(admin);
    const cluster = await createCluster(operator);
    const point = await insertRecoveryPoint(api.running.database.db, { orgId: org.orgId, storageTargetId: target.id, clusterId: cluster.id });
    expectStatus(await operator.delete(`/clusters/${cluster.id}`), 204);
    expect(expectStatus(await operator.get(`/recovery-points/${point.id}`), 200)).toMatchObject({ clusterId: null, clusterName: 'prod' });
  });

  it('checks If-Match when given', async () => {
    const cluster = await createCluster(operator);
    expectStatus(await operator.delete(`/clusters/${cluster.id}`, { 'if-match': '"7"' }), 412);
    expectStatus(await operator.delete(`/clusters/${cluster.id}`, { 'if-match': '"1"' }), 204);
  });
});

describe('cluster lists', () => {
  it('paginates newest first with a cursor and filters by name', async () => {
    const fresh = await startTestApi();
    try {
      const client = authorized(fresh.app, (await fresh.createOrganization()).keys.operator);
      for (const name of ['alpha', 'beta', 'gamma', 'delta', 'epsilon']) await createCluster(client, { name });
      const first = expectStatus<{ items: { name: string }[]; nextCursor: string }>(await client.get('/clusters?limit=2'), 200);
      expect(first.items.map((c) => c.name)).toEqual(['epsilon', 'delta']);
      const second = expectStatus<{ items: { name: string }[]; nextCursor: string }>(await client.get(`/clusters?limit=2&cursor=${first.nextCursor}`), 200);
      expect(second.items.map((c) => c.name)).toEqual(['gamma', 'beta']);
      const last = expectStatus<{ items: { name: string }[]; nextCursor: string | null }>(await client.get(`/clusters?limit=2&cursor=${second.nextCursor}`), 200);
      expect(last).toEqual(expect.objectContaining({ nextCursor: null }));
      expect(last.items.map((c) => c.name)).toEqual(['alpha']);
      const filtered = expectStatus<{ items: { name: string }[] }>(await client.get('/clusters?name=ELT'), 200);
      expect(filtered.items.map((c) => c.name)).toEqual(['delta']);
      expect(expectStatus<{ items: unknown[] }>(await client.get('/clusters?name=%25'), 200).items).toEqual([]);
    } finally {
      await fresh.close();
    }
  });
});
