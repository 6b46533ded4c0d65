import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecretToken, tokenHint } from '../../lib/common/secret-tokens.js';
import { expectStatus, unique } from './helpers/fixtures.js';
import { authorized, putCurrent, startTestApi } from './helpers/test-api.js';
import type { Client, TestApi, TestOrganization } from './helpers/test-api.js';

let api: TestApi;
let org: TestOrganization;
let admin: Client;
const BOOTSTRAP_KEY = 'bootstrap-key-for-users-tests-0123456789';

interface User {
  id: string;
  email: string;
  displayName: string;
  role: 'admin' | 'operator' | 'viewer';
  disabled: boolean;
  version: number;
}

beforeAll(async () => {
  api = await startTestApi({ env: { HAVEN_BOOTSTRAP_API_KEY: BOOTSTRAP_KEY } });
  org = await api.createOrganization();
  admin = authorized(api.app, org.keys.admin);
});
afterAll(() => api?.close());

async function createUser(client: Client, body: Record<string, unknown> = {}) {
  return expectStatus<User>(await client.post('/users', { email: `${unique('user')}@example.com`, displayName: 'Someone', role: 'viewer', ...body }), 201);
}

/** A user with one key of the user's own role; returns a client acting as that user. */
async function userWithKey(client: Client, role: User['role'], body: Record<string, unknown> = {}) {
  const user = await createUser(client, { role, ...body });
  const key = expectStatus<{ id: string; key: string; userId: string }>(await client.post('/api-keys', { name: unique('key'), role, userId: user.id }), 201);
  expect(key.userId).toBe(user.id);
  return { user, keyId: key.id, client: authorized(api.app, key.key) };
}

describe('users CRUD', () => {
  it('creates, reads, lists, replaces and deletes a user', async () => {
    const created = await createUser(admin, { email: 'Ada.Lovelace@Example.com', displayName: 'Ada Lovelace', role: 'operator' });
    expect(created).toMatchObject({ email: 'Ada.Lovelace@Example.com', displayName: 'Ada Lovelace', role: 'operator', disabled: false, version: 1 });

    const read = await admin.get(`/users/${created.id}`);
    expect(expectStatus(read, 200)).toMatchObject({ id: created.id });
    expect(read.headers.etag).toBe('"1"');

    const list = expectStatus<{ items: User[] }>(await admin.get('/users?email=lovelace'), 200);
    expect(list.items.map((u) => u.id)).toEqual([created.id]);

    const replaced = expectStatus<User>(
      await putCurrent(admin, `/users/${created.id}`, (current) => ({ email: current.email, displayName: 'Countess', role: 'viewer', disabled: false })),
      200,
    );
    expect(replaced).toMatchObject({ displayName: 'Countess', role: 'viewer', version: 2 });

    expectStatus(await admin.delete(`/users/${created.id}`, { 'if-match': '"1"' }), 412);
    expectStatus(await admin.delete(`/users/${created.id}`, { 'if-match': '"2"' }), 204);
    expectStatus(await admin.get(`/users/${created.id}`), 404);
  });

  it('paginates and filters by role and disabled', async () => {
    const own = authorized(api.app, (await api.createOrganization('paging')).keys.admin);
    for (let i = 0; i < 3; i++) await createUser(own, { role: 'operator' });
    await createUser(own, { role: 'viewer', disabled: true });
    const first = expectStatus<{ items: User[]; nextCursor: string | null }>(await own.get('/users?limit=2'), 200);
    expect(first.items).toHaveLength(2);
    const second = expectStatus<{ items: User[]; nextCursor: string | null }>(
      await own.get(`/users?limit=2&cursor=${first.nextCursor as string}`),
      200,
    );
    const third = expectStatus<{ items: User[]; nextCursor: string | null }>(
      await own.get(`/users?limit=2&cursor=${second.nextCursor as string}`),
      200,
    );
    expect(third.nextCursor).toBeNull();
    const all = [...first.items, ...second.items, ...third.items];
    expect(new Set(all.map((u) => u.id)).size).toBe(5); // the bootstrap admin and the four above
    expect(expectStatus<{ items: User[] }>(await own.get('/users?role=operator'), 200).items).toHaveLength(3);
    const disabled = expectStatus<{ items: User[] }>(await own.get('/users?disabled=true'), 200).items;
    expect(disabled.map((u) => u.role)).toEqual(['viewer']);
    expect(expectStatus<{ errors: unknown[] }>(await own.get('/users?role=root'), 400).errors).toEqual([
      { field: 'querystring.role', reason: 'must be one of "admin", "operator", "viewer"' },
    ]);
  });

  it('needs If-Match to replace (428) and a current one (412)', async () => {
    const user = await createUser(admin);
    const body = { email: user.email, displayName: 'x', role: 'viewer' };
    expectStatus(await admin.put(`/users/${user.id}`, body), 428);
    expectStatus(await admin.put(`/users/${user.id}`, body, { 'if-match': '"7"' }), 412);
  });
});

describe('users validation', () => {
  it.each([
    ['a missing email', { displayName: 'x', role: 'viewer' }, 'body.email', 'is required'],
    ['a malformed email', { email: 'not-an-email', displayName: 'x', role: 'viewer' }, 'body.email', 'must match format "email"'],
    ['an email over 254 characters', { email: `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com`, displayName: 'x', role: 'viewer' }, 'body.email', 'must NOT have more than 254 characters'],
    ['an empty display name', { email: 'e1@example.com', displayName: '', role: 'viewer' }, 'body.displayName', 'must NOT have fewer than 1 characters'],
    ['a display name of 129 characters', { email: 'e2@example.com', displayName: 'x'.repeat(129), role: 'viewer' }, 'body.displayName', 'must NOT have more than 128 characters'],
    ['a display name with a trailing space', { email: 'e3@example.com', displayName: 'Ada ', role: 'viewer' }, 'body.displayName', 'must match pattern'],
    ['an unknown role', { email: 'e4@example.com', displayName: 'x', role: 'root' }, 'body.role', 'must be one of "admin", "operator", "viewer"'],
    ['a string for disabled', { email: 'e5@example.com', displayName: 'x', role: 'viewer', disabled: 'true' }, 'body.disabled', 'must be boolean'],
    ['an unknown property', { email: 'e6@example.com', displayName: 'x', role: 'viewer', password: 'p' }, 'body.password', 'is not a known property'],
  ])('rejects %s naming the field', async (_case, body, field, reason) => {
    const problem = expectStatus<{ code: string; errors: unknown[] }>(await admin.post('/users', body), 400);
    expect(problem.code).toBe('validation-failed');
    expect(problem.errors).toContainEqual({ field, reason: expect.stringContaining(reason) });
  });

  it('accepts the edges: a 128-character display name and a one-character one', async () => {
    await createUser(admin, { displayName: 'x'.repeat(128) });
    await createUser(admin, { displayName: 'x' });
  });

  it('keeps emails unique per organization, case-insensitively (409 naming body.email)', async () => {
    const first = await createUser(admin, { email: 'Grace@Example.com' });
    const clash = expectStatus<{ code: string; errors: unknown[] }>(await admin.post('/users', { email: 'grace@EXAMPLE.com', displayName: 'g', role: 'viewer' }), 409);
    expect(clash.code).toBe('conflict');
    expect(clash.errors).toEqual([{ field: 'body.email', reason: expect.stringContaining('already used') }]);
    const other = await createUser(admin);
    expectStatus(await putCurrent(admin, `/users/${other.id}`, () => ({ email: 'GRACE@example.com', displayName: 'g', role: 'viewer' })), 409);
    // Changing only the case of one's own email is fine.
    expectStatus(await putCurrent(admin, `/users/${first.id}`, () => ({ email: 'grace@example.com', displayName: 'g', role: 'viewer' })), 200);
    // Another organization may use the same email.
    const elsewhere = authorized(api.app, (await api.createOrganization('elsewhere')).keys.admin);
    await createUser(elsewhere, { email: 'grace@example.com' });
  });
});

describe('users and API keys', () => {
  it('bootstraps an admin user owning the bootstrap key', async () => {
    const me = expectStatus<User>(await authorized(api.app, BOOTSTRAP_KEY).get('/users/me'), 200);
    expect(me).toMatchObject({ email: 'admin@haven.local', role: 'admin', disabled: false });
    const keys = expectStatus<{ items: { name: string; userId: string | null }[] }>(await authorized(api.app, BOOTSTRAP_KEY).get('/api-keys'), 200);
    expect(keys.items.find((k) => k.name === 'bootstrap')?.userId).toBe(me.id);
  });

  it("stops a disabled user's keys at once (401) and restores them when enabled again", async () => {
    const { user, client } = await userWithKey(admin, 'operator');
    expectStatus(await client.get('/clusters'), 200);
    expectStatus(await putCurrent(admin, `/users/${user.id}`, (current) => ({ ...pick(current), disabled: true })), 200);
    expect(expectStatus(await client.get('/clusters'), 401)).toMatchObject({ code: 'unauthenticated' });
    expectStatus(await client.get('/users/me'), 401);
    expectStatus(await putCurrent(admin, `/users/${user.id}`, (current) => ({ ...pick(current), disabled: false })), 200);
    expectStatus(await client.get('/clusters'), 200);
  });

  it("revokes a deleted user's keys", async () => {
    const { user, keyId, client } = await userWithKey(admin, 'viewer');
    expectStatus(await admin.delete(`/users/${user.id}`), 204);
    expectStatus(await client.get('/clusters'), 401);
    const keys = expectStatus<{ items: { id: string }[] }>(await admin.get('/api-keys?limit=200'), 200);
    expect(keys.items.map((k) => k.id)).not.toContain(keyId);
  });

  it("caps a key's role by its user's role: demoting the user demotes its keys", async () => {
    const { user, client } = await userWithKey(admin, 'admin');
    expectStatus(await client.get('/api-keys'), 200);
    expectStatus(await putCurrent(admin, `/users/${user.id}`, (current) => ({ ...pick(current), role: 'viewer' })), 200);
    expect(expectStatus(await client.get('/api-keys'), 403)).toMatchObject({ code: 'forbidden' });
    expectStatus(await client.post('/clusters', { name: unique('c') }), 403);
    expectStatus(await client.get('/clusters'), 200);
  });

  it("refuses a key above its user's role, for a disabled user, or for another organization's user", async () => {
    const viewer = await createUser(admin, { role: 'viewer' });
    const tooHigh = expectStatus<{ errors: unknown[] }>(await admin.post('/api-keys', { name: 'x', role: 'operator', userId: viewer.id }), 422);
    expect(tooHigh.errors).toEqual([{ field: 'body.role', reason: expect.stringContaining('exceeds the viewer role') }]);
    const disabled = await createUser(admin, { role: 'admin', disabled: true });
    expect(expectStatus<{ errors: { field: string }[] }>(await admin.post('/api-keys', { name: 'x', role: 'viewer', userId: disabled.id }), 422).errors[0]?.field).toBe('body.userId');
    const foreign = await createUser(authorized(api.app, (await api.createOrganization()).keys.admin));
    expect(expectStatus(await admin.post('/api-keys', { name: 'x', role: 'viewer', userId: foreign.id }), 422)).toMatchObject({ code: 'invalid-reference' });
  });

  it('lists keys of one user', async () => {
    const { user, keyId } = await userWithKey(admin, 'viewer');
    const keys = expectStatus<{ items: { id: string }[] }>(await admin.get(`/api-keys?userId=${user.id}`), 200);
    expect(keys.items.map((k) => k.id)).toEqual([keyId]);
  });
});

describe('last active admin', () => {
  it('refuses demoting the last active admin (409 naming body.role) and allows it once there is another', async () => {
    const own = await api.createOrganization('lonely');
    const first = authorized(api.app, own.keys.admin);
    const firstUser = expectStatus<User>(await first.get('/users/me'), 200);
    const second = await userWithKey(first, 'admin');
    // Two active admins: one may disable the other, leaving `second` as the only active admin.
    expectStatus(await putCurrent(second.client, `/users/${firstUser.id}`, (current) => ({ ...pick(current), disabled: true })), 200);
    const demote = expectStatus<{ code: string; errors: unknown[] }>(
      await putCurrent(second.client, `/users/${second.user.id}`, (current) => ({ ...pick(current), role: 'operator' })),
      409,
    );
    expect(demote).toMatchObject({ code: 'conflict', errors: [{ field: 'body.role', reason: expect.stringContaining('without an active admin') }] });
    // With the first admin enabled again, demoting the second is fine; the second's keys then act as operator.
    expectStatus(await putCurrent(second.client, `/users/${firstUser.id}`, (current) => ({ ...pick(current), disabled: false })), 200);
    expectStatus(await putCurrent(second.client, `/users/${second.user.id}`, (current) => ({ ...pick(current), role: 'operator' })), 200);
    expectStatus(await second.client.get('/users'), 403);
  });

  it('refuses deleting or disabling the last active admin, disabled admins not counting', async () => {
    const own = await api.createOrganization('solo');
    const ownAdmin = authorized(api.app, own.keys.admin);
    const me = expectStatus<User>(await ownAdmin.get('/users/me'), 200);
    await createUser(ownAdmin, { role: 'admin', disabled: true });
    // Only a key with no user (made before users existed) can act on the last admin without being it.
    const legacyKey = 'hvn_legacy-key-without-user-0123456789abcdefghijklmnop';
    await api.running.database.pool.query(
      "insert into api_keys (org_id, name, role, key_hash, key_hint) values ($1, 'legacy', 'admin', $2, $3)",
      [own.orgId, hashSecretToken(legacyKey), tokenHint(legacyKey)],
    );
    const legacy = authorized(api.app, legacyKey);
    expect(expectStatus(await legacy.get('/users/me'), 404)).toMatchObject({ code: 'not-found' });
    const deleted = expectStatus<{ code: string; detail: string }>(await legacy.delete(`/users/${me.id}`), 409);
    expect(deleted).toMatchObject({ code: 'conflict', detail: expect.stringContaining('last active admin') });
    const disabled = expectStatus<{ errors: unknown[] }>(await putCurrent(legacy, `/users/${me.id}`, (current) => ({ ...pick(current), disabled: true })), 409);
    expect(disabled.errors).toEqual([{ field: 'body.disabled', reason: expect.stringContaining('without an active admin') }]);
    expectStatus(await ownAdmin.get('/users'), 200);
  });

  it('refuses a user deleting or disabling itself', async () => {
    const me = expectStatus<User>(await admin.get('/users/me'), 200);
    expectStatus(await admin.delete(`/users/${me.id}`), 409);
    const disable = expectStatus<{ errors: unknown[] }>(await putCurrent(admin, `/users/${me.id}`, (current) => ({ ...pick(current), disabled: true })), 409);
    expect(disable.errors).toEqual([{ field: 'body.disabled', reason: expect.any(String) }]);
  });
});

describe('users roles and tenancy', () => {
  it('lets only admins manage or list users; anyone reads themselves', async () => {
    const someone = await createUser(admin);
    for (const role of ['operator', 'viewer'] as const) {
      const client = authorized(api.app, org.keys[role]);
      expectStatus(await client.get('/users'), 403);
      expectStatus(await client.get(`/users/${someone.id}`), 403);
      expectStatus(await client.post('/users', { email: 'x@example.com', displayName: 'x', role: 'viewer' }), 403);
      expectStatus(await client.put(`/users/${someone.id}`, { email: 'x@example.com', displayName: 'x', role: 'admin' }, { 'if-match': '"1"' }), 403);
      expectStatus(await client.delete(`/users/${someone.id}`), 403);
    }
    const viewer = await userWithKey(admin, 'viewer');
    expect(expectStatus<User>(await viewer.client.get('/users/me'), 200)).toMatchObject({ id: viewer.user.id, role: 'viewer' });
    const operator = await userWithKey(admin, 'operator');
    expect(expectStatus<User>(await operator.client.get('/users/me'), 200)).toMatchObject({ id: operator.user.id, role: 'operator' });
  });

  it("answers 404 for another organization's user and leaves it untouched", async () => {
    const mallory = authorized(api.app, (await api.createOrganization('mallory')).keys.admin);
    const user = await createUser(admin);
    expectStatus(await mallory.get(`/users/${user.id}`), 404);
    expectStatus(await mallory.put(`/users/${user.id}`, { email: user.email, displayName: 'stolen', role: 'admin', disabled: false }, { 'if-match': '"1"' }), 404);
    expectStatus(await mallory.delete(`/users/${user.id}`), 404);
    const list = expectStatus<{ items: User[] }>(await mallory.get('/users?limit=200'), 200);
    expect(list.items.map((u) => u.id)).not.toContain(user.id);
    expect(expectStatus<User>(await admin.get(`/users/${user.id}`), 200).displayName).toBe(user.displayName);
  });

  it('documents the users resource in OpenAPI', async () => {
    const document = (await api.app.inject({ url: '/openapi.json' })).json<{ paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties: Record<string, unknown> } }> } }>> }>();
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/api/v1/users', '/api/v1/users/{id}', '/api/v1/users/me']));
    const body = document.paths['/api/v1/users']?.post?.requestBody?.content['application/json']?.schema;
    expect(body?.properties.role).toMatchObject({ enum: ['admin', 'operator', 'viewer'] });
    expect(body?.properties.email).toMatchObject({ format: 'email', maxLength: 254 });
    expect(body?.properties.disabled).toMatchObject({ default: false });
  });
});

function pick(current: Record<string, unknown>) {
  return { email: current.email, displayName: current.displayName, role: current.role, disabled: current.disabled };
}
