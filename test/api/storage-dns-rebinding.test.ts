import type { LookupAddress } from 'node:dns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointNetworks, type NameResolver } from '../../lib/common/storage-access/endpoints.js';
import { openBackend } from '../../lib/datamover/cli/target.js';
import { PROBE_REQUEST_LIMITS, s3StorageProbe } from '../../services/api/seams/s3-storage-probe.js';
import { startHostileStorage, type HostileStorage } from '../support/hostile-storage.js';
import { expectStatus } from './helpers/fixtures.js';
import { authorized, startTestApi, type Client, type TestApi } from './helpers/test-api.js';

/**
 * A rebinding DNS server answers a public address while the name is checked and a loopback one when the
 * connection resolves it again. The resolver below answers as one would; everything else is real: the
 * API's probe, the data mover's S3 clients and a server on loopback that counts who reached it.
 */
const REBINDING_NAME = 'storage.rebinding.test';
const PUBLIC_ADDRESS: LookupAddress = { address: '93.184.216.34', family: 4 };
const LOOPBACK: LookupAddress = { address: '127.0.0.1', family: 4 };

function rebindingResolver(): NameResolver {
  let answered = 0;
  return (hostname, _options, callback) => {
    if (hostname !== REBINDING_NAME) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
    callback(null, [answered++ === 0 ? PUBLIC_ADDRESS : LOOPBACK]);
  };
}

let internal: HostileStorage;
let endpoint: string;
let api: TestApi;
let admin: Client;

beforeAll(async () => {
  // Stands for anything on the installation's network: it must never see a connection.
  internal = await startHostileStorage('html-banner');
  endpoint = `http://${REBINDING_NAME}:${new URL(internal.endpoint).port}`;
  // No internal network allowed, as in a production installation.
  const limits = { ...PROBE_REQUEST_LIMITS, connectTimeoutMs: 1_000, idleTimeoutMs: 1_000, requestDeadlineMs: 1_500 };
  api = await startTestApi({ storageProbe: s3StorageProbe(EndpointNetworks.fromNetworks([], rebindingResolver()), limits) });
  admin = authorized(api.app, (await api.createOrganization()).keys.admin);
});
afterAll(async () => {
  await api?.close();
  await internal?.close();
});

describe('a storage endpoint whose name rebinds to an internal address after the check', () => {
  it('is refused by the API probe without a connection reaching the internal address', async () => {
    const response = await admin.post('/storage-targets', {
      name: 'rebinding',
      kind: 'S3',
      endpoint,
      bucket: 'bucket',
      pathStyle: true,
      credentials: { accessKeyId: 'AKIDREBIND', secretAccessKey: 'secret' },
    });
    const body = expectStatus<{ errors: { field: string; reason: string }[] }>(response, 422);
    expect(body.errors).toEqual([{ field: 'body.endpoint', reason: expect.stringMatching(/private, loopback or link-local/) }]);
    expect(internal.requests()).toBe(0);
  });

  it.each([
    ['plain HTTP (static keys)', { s3AccessKeyId: 'AKIDREBIND', s3SecretAccessKey: 'secret' }],
    ['the AWS SDK (no static keys)', {}],
  ])('is refused by the control plane\'s repository client over %s', async (_client, credentials) => {
    const endpoints = EndpointNetworks.fromNetworks([], rebindingResolver());
    await endpoints.check(endpoint);
    const backend = await openBackend({ repository: 's3://bucket/repo', s3Endpoint: endpoint, s3Region: 'us-east-1', s3PathStyle: true, ...credentials, lookup: endpoints.lookup });
    await expect(backend.get('config')).rejects.toThrow(/private, loopback or link-local/);
    expect(internal.requests()).toBe(0);
  });
});
