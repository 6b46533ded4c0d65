import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readChannelSecret } from '../../lib/db/notification-secrets.js';
import { notificationChannels, notificationDeliveries } from '../../lib/db/schema/index.js';
import { startTestApi, type TestApi } from '../api/helpers/test-api.js';
import { havenJson, runHaven } from './helpers/haven-cli.js';

/** `haven notification` against a real API: channels added, listed, their delivery log read, removed. */
const PUBLIC_WEBHOOK = 'https://203.0.113.10/haven';
const SECRET = 'whsec-from-a-file-0123456';

let api: TestApi;
let env: Record<string, string>;
let orgId: string;
let secretFile: string;

beforeAll(async () => {
  api = await startTestApi({ env: { HAVEN_NOTIFICATION_PRIVATE_NETWORKS: '' } });
  const org = await api.createOrganization();
  orgId = org.orgId;
  env = { HAVEN_SERVER: await api.app.listen({ host: '127.0.0.1', port: 0 }), HAVEN_API_KEY: org.keys.admin };
  secretFile = join(mkdtempSync(join(tmpdir(), 'haven-cli-secret-')), 'hook.secret');
  writeFileSync(secretFile, `${SECRET}\n`);
});
afterAll(() => api?.close());

describe('haven notification', () => {
  it('adds a webhook with its secret read from a file (stored without the newline), and lists it without the secret', async () => {
    const added = await havenJson<{ id: string; kind: string; events: string[] }>(['notification', 'add', 'ops-hook', '--url', PUBLIC_WEBHOOK, '--secret-file', secretFile, '--events', 'FAILED,RECOVERED'], env);
    expect(added).toMatchObject({ kind: 'WEBHOOK', events: ['FAILED', 'RECOVERED'] });
    const [row] = await api.running.database.db.select().from(notificationChannels).where(eq(notificationChannels.id, added.id));
    expect(readChannelSecret(api.config.keyring, row!)).toBe(SECRET);
    const listed = await runHaven(['notifications', 'list'], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/ops-hook\s+WEBHOOK\s+yes\s+FAILED,RECOVERED\s+https:\/\/203\.0\.113\.10\/haven\s+stored/);
    expect(listed.stdout).not.toContain(SECRET);
  });

  it('adds an e-mail channel with the API defaults for what is left out', async () => {
    const added = await havenJson<Record<string, unknown>>(['notification', 'add', 'ops-mail', '--smtp-host', '198.51.100.7', '--from', 'haven@example.com', '--to', 'a@example.com,b@example.com'], env);
    expect(added).toMatchObject({ kind: 'EMAIL', port: 587, security: 'STARTTLS', username: null, to: ['a@example.com', 'b@example.com'], hasSecret: false });
  });

  it('refuses a webhook without a secret file and a channel naming both kinds, as usage errors', async () => {
    const noSecret = await runHaven(['notification', 'add', 'x', '--url', PUBLIC_WEBHOOK], env);
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toContain('--secret-file');
    const both = await runHaven(['notification', 'add', 'x', '--url', PUBLIC_WEBHOOK, '--smtp-host', 'h'], env);
    expect(both.code).toBe(2);
    const refused = await runHaven(['notification', 'add', 'x', '--smtp-host', '198.51.100.7', '--from', 'haven@example.com', '--to', 'a@example.com', '--smtp-port', '70000'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('body.port');
  });

  it('shows a channel\'s delivery log, filtered by status', async () => {
    const [channel] = await api.running.database.db.select().from(notificationChannels).where(eq(notificationChannels.name, 'ops-hook'));
    const message = { event: 'FAILED' as const, organizationId: orgId, job: { id: orgId, kind: 'BACKUP', status: 'FAILED', definitionId: null, definitionName: 'nightly', message: 'm', skipReason: null, startedAt: '', endedAt: '' } };
    await api.running.database.db.insert(notificationDeliveries).values([
      { orgId, channelId: channel!.id, event: 'FAILED', status: 'FAILED', attempts: 6, lastError: 'HTTP 503', responseStatus: 503, message },
      { orgId, channelId: channel!.id, event: 'RECOVERED', status: 'DELIVERED', attempts: 1, responseStatus: 204, message: { ...message, event: 'RECOVERED' } },
    ]);
    const log = await runHaven(['notification', 'deliveries', 'ops-hook'], env);
    expect(log.stdout).toMatch(/FAILED\s+FAILED\s+6\s+503\s+HTTP 503/);
    expect(log.stdout).toMatch(/RECOVERED\s+DELIVERED\s+1\s+204/);
    const failed = await havenJson<{ status: string }[]>(['notification', 'deliveries', 'ops-hook', '--status', 'FAILED'], env);
    expect(failed.map((d) => d.status)).toEqual(['FAILED']);
  });

  it('removes a channel only when confirmed', async () => {
    expect((await runHaven(['notification', 'remove', 'ops-mail'], env)).code).toBe(2);
    const removed = await runHaven(['notification', 'remove', 'ops-mail', '--confirm'], env);
    expect(removed.stdout).toContain('removed');
    expect((await runHaven(['notification', 'list'], env)).stdout).not.toContain('ops-mail');
  });
});
