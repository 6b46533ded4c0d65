import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectStatus } from './helpers/fixtures.js';
import { authorized, startTestApi } from './helpers/test-api.js';
import type { TestApi, TestOrganization } from './helpers/test-api.js';

let api: TestApi;
let org: TestOrganization;
const BOOTSTRAP_KEY = 'bootstrap-key-for-tests-0123456789abcdef';

beforeAll(async () => {
  api = await startTestApi({ env: { HAVEN_BOOTSTRAP_API_KEY: BOOTSTRAP_KEY } });
  org = await api.createOrganization();
});
afterAll(() => api?.close());

describe('authentication', () => {
  it('bootstraps a first organization whose admin key is HAVEN_BOOTSTRAP_API_KEY', async () => {
    const organization = expectStatus(await authorized(api.app, BOOTSTRAP_KEY).get('/organization'), 200);
    expect(organization.name).toBe('Default');
    expectStatus(await authorized(api.app, BOOTSTRAP_KEY).get('/api-keys'), 200);
  });

  it.each([
    ['no header', {}],
    ['a malformed header', { authorization: 'Basic abc' }],
    ['an unknown key', { authorization: 'Bearer hvn_not-a-real-key' }],
  ])('answers 401 problem+json for %s', async (_case, headers) => {
    const response = await api.app.inject({ url: '/api/v1/clusters', headers });
    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ status: 401, code: 'unauthenticated', type: 'https://haven.dev/problems/unauthenticated' });
  });

  it('leaves the OpenAPI document and docs UI public', async () => {
    expect((await api.app.inject({ url: '/openapi.json' })).statusCode).toBe(200);
    expect((await api.app.inject({ url: '/docs/' })).statusCode).toBe(200);
  });
});

describe('roles', () => {
  it('lets a viewer read but not change', async () => {
    const viewer = authorized(api.app, org.keys.viewer);
    expectStatus(await viewer.get('/clusters'), 200);
    const refused = expectStatus(await viewer.post('/clusters', { name: 'x' }), 403);
    expect(refused).toMatchObject({ code: 'forbidden' });
  });

  it('lets an operator manage clusters but not storage targets, keys or preferences', async () => {
    const operator = authorized(api.app, org.keys.operator);
    expectStatus(await operator.post('/clusters', { name: 'by-operator' }), 201);
    expectStatus(await operator.post('/storage-targets', { name: 'fs', kind: 'FILESYSTEM', path: `/srv/haven/${org.orgId}` }), 403);
    expectStatus(await operator.get('/api-keys'), 403);
    expectStatus(await operator.put('/organization', { name: 'x' }, { 'if-match': '"1"' }), 403);
  });

  it('lets an admin do everything', async () => {
    const admin = authorized(api.app, org.keys.admin);
    expectStatus(await admin.post('/storage-targets', { name: 'fs', kind: 'FILESYSTEM', path: `/srv/haven/${org.orgId}` }), 201);
  });
});

describe('API keys', () => {
  it('shows a new key once, stores only its hash, and lists its last four characters', async () => {
    const admin = authorized(api.app, org.keys.admin);
    const created = expectStatus<{ id: string; key: string; keyHint: string }>(await admin.post('/api-keys', { name: 'ci', role: 'viewer' }), 201);
    expect(created.key).toMatch(/^hvn_[A-Za-z0-9_-]{43}$/);
    expect(created.keyHint).toBe(created.key.slice(-4));
    const listed = expectStatus<{ items: Record<string, unknown>[] }>(await admin.get('/api-keys'), 200);
    expect(JSON.stringify(listed)).not.toContain(created.key);
    expect(listed.items.find((k) => k.id === created.id)).toMatchObject({ name: 'ci', role: 'viewer', keyHint: created.keyHint });
    const stored = await api.running.database.pool.query('select key_hash from api_keys where id = $1', [created.id]);
    expect(stored.rows[0].key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored.rows)).not.toContain(created.key);
  });

  it('stops accepting a deleted key', async () => {
    const admin = authorized(api.app, org.keys.admin);
    const created = expectStatus<{ id: string; key: string }>(await admin.post('/api-keys', { name: 'temp', role: 'viewer' }), 201);
    expectStatus(await authorized(api.app, created.key).get('/clusters'), 200);
    expectStatus(await admin.delete(`/api-keys/${created.id}`), 204);
    expectStatus(await authorized(api.app, created.key).get('/clusters'), 401);
  });

  it('refuses to let a key delete itself', async () => {
    const admin = authorized(api.app, org.keys.admin);
    const keys = expectStatus<{ items: { id: string; name: string }[] }>(await admin.get('/api-keys'), 200);
    const own = keys.items.find((k) => k.name === 'admin') as { id: string };
    expectStatus(await admin.delete(`/api-keys/${own.id}`), 409);
  });

  it('rejects an unknown role naming the field', async () => {
    const response = expectStatus<{ errors: unknown[] }>(await authorized(api.app, org.keys.admin).post('/api-keys', { name: 'x', role: 'root' }), 400);
    expect(response.errors).toEqual([{ field: 'body.role', reason: 'must be one of "admin", "operator", "viewer"' }]);
  });
});
