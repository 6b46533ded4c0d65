import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readChannelSecret } from '../../lib/db/notification-secrets.js';
import { notificationChannels } from '../../lib/db/schema/index.js';
import { expectStatus } from './helpers/fixtures.js';
import { authorized, putCurrent, startTestApi, type Client, type TestApi, type TestOrganization } from './helpers/test-api.js';

/** Documentation addresses (TEST-NET-2/3): public, so no DNS is needed to accept them. */
const PUBLIC_WEBHOOK = 'https://203.0.113.10/haven';
const PUBLIC_SMTP = '198.51.100.7';
const SECRET = 'whsec-never-returned-0123';
const PASSWORD = 'smtp-password-never-returned';

let api: TestApi;
let org: TestOrganization;
let admin: Client;

const webhook = (body: Record<string, unknown> = {}) => ({ kind: 'WEBHOOK', name: `hook-${Math.random().toString(36).slice(2, 8)}`, url: PUBLIC_WEBHOOK, secret: SECRET, ...body });
const email = (body: Record<string, unknown> = {}) => ({
  kind: 'EMAIL',
  name: `mail-${Math.random().toString(36).slice(2, 8)}`,
  host: PUBLIC_SMTP,
  username: 'haven',
  password: PASSWORD,
  from: 'haven@example.com',
  to: ['ops@example.com'],
  ...body,
});

beforeAll(async () => {
  // No private network allowed, as in a production installation.
  api = await startTestApi({ env: { HAVEN_NOTIFICATION_PRIVATE_NETWORKS: '' } });
  org = await api.createOrganization();
  admin = authorized(api.app, org.keys.admin);
});
afterAll(() => api?.close());

async function storedRow(id: string) {
  const [row] = await api.running.database.db.select().from(notificationChannels).where(eq(notificationChannels.id, id));
  return row!;
}

describe('notification channels', () => {
  it('stores a webhook with its defaults and its secret encrypted, and never returns or logs the secret', async () => {
    const response = await admin.post('/notification-channels', webhook());
    const created = expectStatus<Record<string, unknown>>(response, 201);
    expect(created).toMatchObject({ kind: 'WEBHOOK', url: PUBLIC_WEBHOOK, enabled: true, events: ['FAILED', 'PARTIAL', 'SKIPPED', 'RECOVERED'], hasSecret: true });
    expect(response.body).not.toContain(SECRET);
    const row = await storedRow(created.id as string);
    expect(row.secretCiphertext).not.toContain(SECRET);
    expect(readChannelSecret(api.config.keyring, row)).toBe(SECRET);
    expect((await admin.get(`/notification-channels/${String(created.id)}`)).body).not.toContain(SECRET);
    expect(api.logText()).not.toContain(SECRET);
  });

  it('keeps the stored secret when a replacement leaves it out, and stores a new one when given', async () => {
    const { id } = expectStatus<{ id: string }>(await admin.post('/notification-channels', webhook()), 201);
    const kept = await putCurrent(admin, `/notification-channels/${id}`, ({ name }) => ({ kind: 'WEBHOOK', name, url: `${PUBLIC_WEBHOOK}/v2`, events: ['FAILED'] }));
    expect(expectStatus(kept, 200)).toMatchObject({ url: `${PUBLIC_WEBHOOK}/v2`, events: ['FAILED'], hasSecret: true });
    expect(readChannelSecret(api.config.keyring, await storedRow(id))).toBe(SECRET);
    const replaced = await putCurrent(admin, `/notification-channels/${id}`, ({ name }) => ({ kind: 'WEBHOOK', name, url: PUBLIC_WEBHOOK, secret: 'another-secret-of-16+' }));
    expectStatus(replaced, 200);
    expect(readChannelSecret(api.config.keyring, await storedRow(id))).toBe('another-secret-of-16+');
    // A webhook turned into an e-mail channel does not keep the signing secret as its SMTP password.
    const mail = await putCurrent(admin, `/notification-channels/${id}`, ({ name }) => ({ ...email({ name }), password: undefined }));
    expect(expectStatus(mail, 200)).toMatchObject({ kind: 'EMAIL', hasSecret: false });
    const back = await putCurrent(admin, `/notification-channels/${id}`, ({ name }) => ({ kind: 'WEBHOOK', name, url: PUBLIC_WEBHOOK }));
    expect(expectStatus<{ errors: unknown[] }>(back, 422).errors).toEqual([{ field: 'body.secret', reason: 'a webhook needs a signing secret: give one' }]);
  });

  it('stores an e-mail channel with its password encrypted and never returned', async () => {
    const response = await admin.post('/notification-channels', email());
    expect(expectStatus(response, 201)).toMatchObject({ kind: 'EMAIL', host: PUBLIC_SMTP, port: 587, security: 'STARTTLS', username: 'haven', to: ['ops@example.com'], hasSecret: true });
    expect(response.body).not.toContain(PASSWORD);
    expect(api.logText()).not.toContain(PASSWORD);
  });

  it.each([
    ['loopback', 'http://127.0.0.1:8080/hook'],
    ['a name of loopback', 'http://localhost/hook'],
    ['the metadata service', 'http://169.254.169.254/latest/meta-data/'],
    ['a private network', 'https://10.1.2.3/hook'],
    ['IPv6 loopback', 'http://[::1]/hook'],
    ['an IPv4-mapped IPv6 address', 'http://[::ffff:192.168.1.1]/hook'],
  ])('refuses a webhook on %s (SSRF) naming the field', async (_what, url) => {
    const body = expectStatus<{ errors: { field: string; reason: string }[] }>(await admin.post('/notification-channels', webhook({ url })), 422);
    expect(body.errors).toEqual([{ field: 'body.url', reason: expect.stringMatching(/private, loopback or link-local address, which this installation does not allow for notifications/) }]);
  });

  it('refuses an SMTP host on an internal address naming the field', async () => {
    const body = expectStatus<{ errors: { field: string }[] }>(await admin.post('/notification-channels', email({ host: '192.168.0.25' })), 422);
    expect(body.errors).toEqual([{ field: 'body.host', reason: expect.stringMatching(/private, loopback or link-local/) }]);
  });

  it('accepts an internal address inside HAVEN_NOTIFICATION_PRIVATE_NETWORKS', async () => {
    const relaxed = await startTestApi({ env: { HAVEN_NOTIFICATION_PRIVATE_NETWORKS: '10.0.0.0/8' } });
    try {
      const client = authorized(relaxed.app, (await relaxed.createOrganization()).keys.admin);
      expectStatus(await client.post('/notification-channels', webhook({ url: 'https://10.1.2.3/hook' })), 201);
      expectStatus(await client.post('/notification-channels', webhook({ url: 'https://127.0.0.1/hook' })), 422);
    } finally {
      await relaxed.close();
    }
  });

  it.each([
    ['a webhook without a secret', webhook({ secret: undefined }), 'body.secret'],
    ['a short secret', webhook({ secret: 'short' }), 'body.secret'],
    ['a URL with credentials', webhook({ url: 'https://user:pass@203.0.113.10/hook' }), 'body.url'],
    ['a URL that is not HTTP', webhook({ url: 'ftp://203.0.113.10/hook' }), 'body.url'],
    ['an unknown event', webhook({ events: ['EXPLODED'] }), 'body.events.0'],
    ['no event', webhook({ events: [] }), 'body.events'],
    ['no recipient', email({ to: [] }), 'body.to'],
    ['a port out of range', email({ port: 70000 }), 'body.port'],
  ])('refuses %s with a 400 naming the field, storing nothing', async (_what, body, field) => {
    const before = (await api.running.database.db.select().from(notificationChannels)).length;
    const response = await admin.post('/notification-channels', body);
    expect(response.statusCode).toBe(400);
    expect(response.json<{ errors: { field: string }[] }>().errors.map((error) => error.field)).toContain(field);
    expect((await api.running.database.db.select().from(notificationChannels)).length).toBe(before);
  });

  it('lets only admins change channels, and every role read them', async () => {
    for (const role of ['operator', 'viewer'] as const) {
      expect((await authorized(api.app, org.keys[role]).post('/notification-channels', webhook())).statusCode).toBe(403);
      expect((await authorized(api.app, org.keys[role]).get('/notification-channels')).statusCode).toBe(200);
    }
  });

  it('deletes a channel with its delivery log; the log of a channel that does not exist is 404', async () => {
    const { id } = expectStatus<{ id: string }>(await admin.post('/notification-channels', webhook()), 201);
    expect(expectStatus<{ items: unknown[] }>(await admin.get(`/notification-channels/${id}/deliveries`), 200).items).toEqual([]);
    expect((await admin.delete(`/notification-channels/${id}`)).statusCode).toBe(204);
    expect((await admin.get(`/notification-channels/${id}/deliveries`)).statusCode).toBe(404);
  });
});
