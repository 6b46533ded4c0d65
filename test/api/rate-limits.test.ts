import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRACKED_CLIENTS_PER_BUDGET } from '../../services/api/plugins/rate-limits.js';
import { expectStatus } from './helpers/fixtures.js';
import { authorized, startTestApi } from './helpers/test-api.js';
import type { TestApi, TestOrganization } from './helpers/test-api.js';

/** Small budgets so a handful of requests spends them; the window is long enough never to renew mid-test. */
const PER_KEY = 4;
const PER_ORGANIZATION = 10;
const PER_ADDRESS = 3;

let api: TestApi;
let alice: TestOrganization;
let bob: TestOrganization;

beforeAll(async () => {
  api = await startTestApi({
    env: { HAVEN_RATE_LIMIT_PER_KEY: String(PER_KEY),
      HAVEN_RATE_LIMIT_PER_ORGANIZATION: String(PER_ORGANIZATION),
      HAVEN_RATE_LIMIT_PER_ADDRESS: String(PER_ADDRESS), HAVEN_RATE_LIMIT_WINDOW_SECONDS: '3600' },
  });
  alice = await api.createOrganization('alice');
  bob = await api.createOrganization('bob');
});
afterAll(() => api?.close());

function expectRateLimited(response: LightMyRequestResponse) {
  const problem = expectStatus(response, 429);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
  expect(problem).toMatchObject({ code: 'rate-limited', status: 429, type: 'https://haven.dev/problems/rate-limited' });
  return problem;
}

const fromAddress = (remoteAddress: string, url: string, key?: string) =>
  api.app.inject({ method: 'GET', url, remoteAddress, headers: key ? { authorization: `Bearer ${key}` } : {} });

/** Spends an address's budget on a route nobody's key answers for. */
async function spendAddress(remoteAddress: string) {
  for (let i = 0; i < PER_ADDRESS; i++) expectStatus(await fromAddress(remoteAddress, '/openapi.json'), 200);
  expectRateLimited(await fromAddress(remoteAddress, '/openapi.json'));
}

describe('per API key budgets', () => {
  it('refuses a key that spent its budget with 429 and Retry-After, while other keys, of this tenant and another, are served', async () => {
    const aliceViewer = authorized(api.app, alice.keys.viewer);
    for (let i = 0; i < PER_KEY; i++) expectStatus(await aliceViewer.get('/clusters'), 200);
    const problem = expectRateLimited(await aliceViewer.get('/clusters'));
    expect(problem.detail).toContain(`more than ${PER_KEY} requests`);
    // Still refused on any route: the budget is the key's, not a route's.
    expectRateLimited(await aliceViewer.get('/policies'));

    expectStatus(await authorized(api.app, bob.keys.viewer).get('/clusters'), 200);
    expectStatus(await authorized(api.app, alice.keys.operator).get('/clusters'), 200);
  });

  it('does not charge the address of a spent key: the same address still serves other keys', async () => {
    const address = '10.1.0.1';
    for (let i = 0; i < PER_KEY; i++) expectStatus(await fromAddress(address, '/api/v1/jobs', bob.keys.operator), 200);
    expectRateLimited(await fromAddress(address, '/api/v1/jobs', bob.keys.operator));
    expectStatus(await fromAddress(address, '/api/v1/jobs', alice.keys.admin), 200);
  });
});

describe('per organization budgets', () => {
  it('refuses every key of an organization that spent its budget, a freshly minted one too, while other organizations are served', async () => {
    const carol = await api.createOrganization('carol'); // the admin key minted two keys: 2 requests
    const admin = authorized(api.app, carol.keys.admin);
    const minted = expectStatus<{ key: string }>(await admin.post('/api-keys', { name: 'spare', role: 'viewer' }), 201).key; // 3
    for (let i = 0; i < PER_KEY; i++) expectStatus(await authorized(api.app, carol.keys.viewer).get('/clusters'), 200); // 7
    for (let i = 0; i < 3; i++) expectStatus(await authorized(api.app, carol.keys.operator).get('/clusters'), 200); // 10

    // The operator key has budget of its own left; its organization has none.
    const problem = expectRateLimited(await authorized(api.app, carol.keys.operator).get('/clusters'));
    expect(problem.detail).toContain(`organization (all its keys together) made more than ${PER_ORGANIZATION} requests`);
    expectRateLimited(await authorized(api.app, minted).get('/clusters'));
    expectRateLimited(await admin.post('/api-keys', { name: 'another', role: 'viewer' }));

    const dave = await api.createOrganization('dave');
    expectStatus(await authorized(api.app, dave.keys.viewer).get('/clusters'), 200);
  });
});

describe('per address budgets for requests no API key answers for', () => {
  it('refuses an address that keeps failing authentication, without charging the keys it is not', async () => {
    const address = '10.2.0.1';
    for (let i = 0; i < PER_ADDRESS; i++) expectStatus(await fromAddress(address, '/api/v1/clusters', `guess-${i}`), 401);
    expectRateLimited(await fromAddress(address, '/api/v1/clusters', 'guess-again'));
    expectRateLimited(await fromAddress(address, '/api/v1/clusters'));
    // Another address is not refused, and a valid key pays with its own budget, even from this address.
    expectStatus(await fromAddress('10.2.0.2', '/api/v1/clusters', 'guess'), 401);
    expectStatus(await fromAddress(address, '/api/v1/clusters', bob.keys.viewer), 200);
  });

  it('limits the unauthenticated routes (the OpenAPI document, installation administration) per address; probes are never limited', async () => {
    const reader = '10.3.0.1';
    for (let i = 0; i < PER_ADDRESS; i++) expectStatus(await fromAddress(reader, '/openapi.json'), 200);
    expectRateLimited(await fromAddress(reader, '/openapi.json'));
    // Refused before the installation key is even compared: guessing it costs the guesser's budget.
    expectRateLimited(await fromAddress(reader, '/api/v1/installation/organizations', 'guess'));
    expectStatus(await fromAddress('10.3.0.2', '/openapi.json'), 200);

    const installer = '10.3.0.3';
    for (let i = 0; i < PER_ADDRESS; i++) expectStatus(await fromAddress(installer, '/api/v1/installation/organizations', 'guess'), 403);
    expectRateLimited(await fromAddress(installer, '/api/v1/installation/organizations', 'guess'));

    for (let i = 0; i < PER_ADDRESS + 2; i++) expectStatus(await fromAddress(reader, '/healthz'), 200);
  });
});

describe('IPv6 clients', () => {
  it('counts an IPv6 client by its /64, so rotating through it buys nothing, and an IPv4-mapped address as the IPv4 address', async () => {
    await spendAddress('2001:db8:7:1::1');
    expectRateLimited(await fromAddress('2001:db8:7:1:8a2e:370:7334:ffff', '/openapi.json'));
    expectRateLimited(await fromAddress('2001:db8:7:1::2', '/api/v1/clusters', 'guess'));
    expectStatus(await fromAddress('2001:db8:7:2::1', '/openapi.json'), 200);

    await spendAddress('::ffff:10.7.0.1');
    expectRateLimited(await fromAddress('10.7.0.1', '/openapi.json'));
  });
});

describe('the OpenAPI document', () => {
  it('declares 429 with Retry-After on every operation', async () => {
    const document = (await fromAddress('10.4.0.1', '/openapi.json')).json<{ paths: Record<string, Record<string, { responses: Record<string, { headers?: object }> }>> }>();
    let operations = 0;
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        expect(operation.responses['429']?.headers, `${method} ${path}`).toHaveProperty('retry-after');
        operations++;
      }
    }
    expect(operations).toBeGreaterThan(50);
  });
});

// Last in the file: it fills the address table, so newcomers after it share one spent counter.
describe('a flood of new clients', () => {
  it('cannot push a spent counter out of the table and so hand its budget back', async () => {
    const spent = '10.8.0.1';
    await spendAddress(spent);
    for (let i = 0; i < TRACKED_CLIENTS_PER_BUDGET; i++) {
      await fromAddress(`10.${9 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`, '/not-a-route');
    }
    expectRateLimited(await fromAddress(spent, '/openapi.json'));
  });
});
