import type { LookupAddress } from 'node:dns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendMail } from '../../activities/control/notifications/email.js';
import { sendWebhook } from '../../activities/control/notifications/webhook.js';
import { EndpointNetworks, type NameResolver } from '../../lib/common/storage-access/endpoints.js';
import { parseNetworkList } from '../../lib/common/networks.js';
import { startSmtpReceiver, type SmtpReceiver } from '../support/smtp-receiver.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

/**
 * What the worker does at delivery time, against real receivers on loopback. A rebinding DNS server
 * answers a public address when the channel is saved and loopback later: the resolver below answers
 * loopback for the name, as it would at delivery, and nothing may reach the receiver.
 */
const REBINDING_NAME = 'hooks.rebinding.test';
const LOOPBACK: LookupAddress = { address: '127.0.0.1', family: 4 };
const resolver: NameResolver = (hostname, _options, callback) =>
  hostname === REBINDING_NAME ? callback(null, [LOOPBACK]) : callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
const strict = EndpointNetworks.fromNetworks([], resolver, 'notifications');
const loopbackAllowed = EndpointNetworks.fromNetworks(parseNetworkList('127.0.0.0/8'), resolver, 'notifications');

let webhook: WebhookReceiver;
let smtp: SmtpReceiver;
const base = { secret: 'sender-test-secret', body: '{"event":"FAILED"}', event: 'FAILED', deliveryId: 'd-1', now: new Date(), timeoutMs: 2_000 };

beforeAll(async () => {
  [webhook, smtp] = await Promise.all([startWebhookReceiver(), startSmtpReceiver()]);
});
afterAll(async () => {
  await webhook?.close();
  await smtp?.close();
});

describe('delivery-time network checks', () => {
  it('refuses a webhook whose name resolves to loopback at delivery, without connecting', async () => {
    const port = new URL(webhook.url).port;
    const before = webhook.requests.length;
    const result = await sendWebhook(strict, { ...base, url: `http://${REBINDING_NAME}:${port}/hook` });
    expect(result).toEqual({ ok: false, error: expect.stringMatching(/private, loopback or link-local address, which this installation does not allow for notifications/) });
    expect(webhook.requests.length).toBe(before);
  });

  it('reaches the same name where the installation allows loopback', async () => {
    const port = new URL(webhook.url).port;
    expect(await sendWebhook(loopbackAllowed, { ...base, url: `http://${REBINDING_NAME}:${port}/hook` })).toEqual({ ok: true, responseStatus: 200 });
  });

  it('does not follow a redirect: a 3xx is a failed attempt', async () => {
    webhook.failNext(1, 302);
    expect(await sendWebhook(loopbackAllowed, { ...base, url: webhook.url })).toEqual({ ok: false, responseStatus: 302, error: 'the endpoint answered HTTP 302' });
  });

  it('refuses an SMTP host whose name resolves to loopback, without connecting', async () => {
    const smtpSettings = { host: REBINDING_NAME, port: smtp.port, security: 'NONE' as const, username: null, password: null };
    const mail = { from: 'haven@example.com', to: ['ops@example.com'], subject: 'test', text: 'body' };
    const refused = await sendMail(strict, smtpSettings, mail, 2_000);
    expect(refused).toEqual({ ok: false, error: expect.stringMatching(/private, loopback or link-local/) });
    expect(smtp.messages()).toEqual([]);
    expect(await sendMail(loopbackAllowed, smtpSettings, mail, 2_000)).toEqual({ ok: true });
    expect(await smtp.received(1)).toHaveLength(1);
  });
});
