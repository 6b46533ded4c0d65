import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSecretToken } from '../../lib/common/secret-tokens.js';
import { createCluster, expectStatus } from './helpers/fixtures.js';
import { authorized, startTestApi, type TestApi, type TestOrganization } from './helpers/test-api.js';

const installationKey = generateSecretToken('hvn_installation_');
let api: TestApi;
let existing: TestOrganization;

beforeAll(async () => {
  api = await startTestApi({ env: { HAVEN_INSTALLATION_ADMIN_KEY: installationKey } });
  existing = await api.createOrganization('existing');
});
afterAll(async () => api?.close());

const installation = () => authorized(api.app, installationKey);

describe('installation administration', () => {
  it('creates an organization with its first admin, whose key works at once and sees only its own organization', async () => {
    const created = expectStatus<{ id: string; name: string; admin: { email: string; apiKey: string; userId: string } }>(
      await installation().post('/installation/organizations', { name: 'Tenant B', admin: { email: 'ops@tenant-b.example', displayName: 'Ops B' } }),
      201,
    );
    expect(created).toMatchObject({ name: 'Tenant B', admin: { email: 'ops@tenant-b.example' } });
    const tenant = authorized(api.app, created.admin.apiKey);
    expect(expectStatus<{ id: string; name: string }>(await tenant.get('/organization'), 200)).toMatchObject({ id: created.id, name: 'Tenant B' });
    expect(expectStatus<{ items: { id: string; role: string }[] }>(await tenant.get('/users'), 200).items).toEqual([expect.objectContaining({ id: created.admin.userId, role: 'admin' })]);
    // Tenancy holds between the two: a cluster of the existing organization is not B's to see.
    const cluster = await createCluster(authorized(api.app, existing.keys.admin));
    expect((await tenant.get(`/clusters/${cluster.id}`)).statusCode).toBe(404);
    const listed = expectStatus<{ items: { id: string }[] }>(await installation().get('/installation/organizations'), 200);
    expect(listed.items.map((o) => o.id)).toEqual(expect.arrayContaining([existing.orgId, created.id]));
    // The key is shown once: listing never returns it.
    expect(JSON.stringify(listed)).not.toContain(created.admin.apiKey);
  });

  it('refuses organization keys of any role, and callers without a key', async () => {
    for (const key of Object.values(existing.keys)) {
      const response = await authorized(api.app, key).post('/installation/organizations', { name: 'Forged', admin: { email: 'x@example.com', displayName: 'X' } });
      expect(response.statusCode).toBe(403);
    }
    expect((await api.app.inject({ method: 'GET', url: '/api/v1/installation/organizations' })).statusCode).toBe(401);
    // The installation key is not an organization key either.
    expect((await installation().get('/organization')).statusCode).toBe(401);
  });

  it('answers bad input with 400 naming the field, and creates nothing', async () => {
    const before = expectStatus<{ items: unknown[] }>(await installation().get('/installation/organizations'), 200).items.length;
    const response = await installation().post('/installation/organizations', { name: 'No admin', admin: { displayName: 'Nobody' } });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('email');
    expect(expectStatus<{ items: unknown[] }>(await installation().get('/installation/organizations'), 200).items).toHaveLength(before);
  });

  it('is off when HAVEN_INSTALLATION_ADMIN_KEY is not set', async () => {
    const plain = await startTestApi();
    try {
      const response = await authorized(plain.app, installationKey).get('/installation/organizations');
      expect(response.statusCode).toBe(403);
      expect(response.json()).toMatchObject({ detail: expect.stringContaining('HAVEN_INSTALLATION_ADMIN_KEY') });
    } finally {
      await plain.close();
    }
  });
});
