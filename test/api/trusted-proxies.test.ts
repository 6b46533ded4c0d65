import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyEntry } from '../../lib/common/secrets.js';
import { ConfigError, readConfig } from '../../services/api/config.js';
import { expectStatus } from './helpers/fixtures.js';
import { startTestApi } from './helpers/test-api.js';
import type { TestApi } from './helpers/test-api.js';

const PER_ADDRESS = 2;
const INGRESS = '10.60.0.5';

let direct: TestApi;
let behindIngress: TestApi;

beforeAll(async () => {
  const budgets = { HAVEN_RATE_LIMIT_PER_ADDRESS: String(PER_ADDRESS), HAVEN_RATE_LIMIT_WINDOW_SECONDS: '3600' };
  direct = await startTestApi({ env: budgets });
  behindIngress = await startTestApi({ env: { ...budgets, HAVEN_TRUSTED_PROXIES: '10.60.0.0/16, fd00:60::/64' } });
});
afterAll(async () => {
  await direct?.close();
  await behindIngress?.close();
});

/** Reads the OpenAPI document, which is paid for by the client address, from `peer` claiming `forwardedFor`. */
const read = (api: TestApi, peer: string, forwardedFor?: string) =>
  api.app.inject({ method: 'GET', url: '/openapi.json', remoteAddress: peer, headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {} });

async function spend(api: TestApi, peer: string, forwardedFor: (i: number) => string | undefined) {
  for (let i = 0; i < PER_ADDRESS; i++) expectStatus(await read(api, peer, forwardedFor(i)), 200);
  expectStatus(await read(api, peer, forwardedFor(PER_ADDRESS)), 429);
}

describe('HAVEN_TRUSTED_PROXIES', () => {
  it('gives each client behind a trusted proxy its own address budget', async () => {
    await spend(behindIngress, INGRESS, () => '203.0.113.7');
    // Another client through the same ingress is not refused; the spent one is, whichever proxy hop it came by.
    expectStatus(await read(behindIngress, INGRESS, '203.0.113.8'), 200);
    expectStatus(await read(behindIngress, '10.60.1.9', '203.0.113.7'), 429);
    expectStatus(await read(behindIngress, 'fd00:60::9', '203.0.113.7'), 429);
  });

  it('ignores X-Forwarded-For from a peer it does not trust, so an untrusted client cannot pick the address it pays with', async () => {
    await spend(behindIngress, '198.51.100.1', (i) => `203.0.113.${100 + i}`);
    expectStatus(await read(behindIngress, '198.51.100.1', '203.0.113.200'), 429);
    // Nor can it charge a client of the ingress by naming it.
    expectStatus(await read(behindIngress, INGRESS, '203.0.113.9'), 200);
  });

  it('unset, trusts no proxy: X-Forwarded-For is ignored and the peer pays', async () => {
    await spend(direct, INGRESS, (i) => `203.0.113.${i}`);
    expectStatus(await read(direct, INGRESS, '203.0.113.50'), 429);
    expectStatus(await read(direct, '10.60.0.6', '203.0.113.7'), 200);
  });

  it('refuses a setting that is not a list of CIDRs, naming it', () => {
    const env = { DATABASE_URL: 'postgres://unused', HAVEN_SECRET_KEY: generateKeyEntry('k1') };
    for (const value of ['10.0.0.0/33', 'ingress.local', '10.0.0.0/']) {
      const reading = () => readConfig({ ...env, HAVEN_TRUSTED_PROXIES: value });
      expect(reading).toThrow(ConfigError);
      expect(reading).toThrow(`HAVEN_TRUSTED_PROXIES: "${value}" is not a network in CIDR form`);
    }
  });
});
