import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageAccessPolicy } from '../../lib/common/storage-access/policy.js';
import { PROBE_REQUEST_LIMITS, s3StorageProbe } from '../../services/api/seams/s3-storage-probe.js';
import { BANNER, INTERNAL_ADDRESS, startHostileStorage, type HostileBehaviour } from '../support/hostile-storage.js';
import { stackEnv } from '../support/stack-env.js';
import { expectStatus } from './helpers/fixtures.js';
import { authorized, startTestApi, type Client, type TestApi } from './helpers/test-api.js';

let api: TestApi;
let admin: Client;

beforeAll(async () => {
  // The real probe with the stack's network settings, on deadlines short enough for a test to wait out.
  const limits = { ...PROBE_REQUEST_LIMITS, connectTimeoutMs: 1_000, idleTimeoutMs: 1_000, requestDeadlineMs: 1_500, maxAnswerBytes: 64 * 1024 };
  api = await startTestApi({ storageProbe: s3StorageProbe(storageAccessPolicy(process.env).endpoints, limits) });
  const org = await api.createOrganization();
  admin = authorized(api.app, org.keys.admin);
});
afterAll(() => api?.close());

const target = (endpoint: string) => ({
  name: 'hostile',
  kind: 'S3',
  endpoint,
  bucket: stackEnv('S3_PLAIN_BUCKET'),
  pathStyle: true,
  credentials: { accessKeyId: 'AKIDHOSTILE', secretAccessKey: 'secret' },
});

describe('the storage probe against an endpoint that misbehaves', () => {
  it.each<[string, HostileBehaviour, RegExp]>([
    ['accepts the connection and never answers', 'hang', /did not answer ListObjectsV2 within/],
    ['trickles its answer a byte at a time', 'trickle', /did not answer ListObjectsV2 within/],
    ['announces a 2 GiB listing', 'huge', /larger than 65536 bytes/],
    ['streams a gigantic listing without announcing its length', 'huge-chunked', /larger than 65536 bytes/],
  ])('that %s answers 422 on the endpoint instead of holding the request', async (_case, behaviour, reason) => {
    const hostile = await startHostileStorage(behaviour);
    try {
      const response = expectStatus<{ errors: { field: string; reason: string }[] }>(await admin.post('/storage-targets', target(hostile.endpoint)), 422);
      expect(response.errors).toEqual([{ field: 'body.endpoint', reason: expect.stringMatching(reason) }]);
      expect(hostile.requests()).toBeGreaterThan(0);
    } finally {
      await hostile.close();
    }
  });

  it.each<[string, HostileBehaviour]>([
    ['an internal web server\'s page', 'html-banner'],
    ['another service\'s banner', 'raw-banner'],
  ])('that answers with %s is refused without repeating a word of it', async (_case, behaviour) => {
    const hostile = await startHostileStorage(behaviour);
    try {
      const response = await admin.post('/storage-targets', target(hostile.endpoint));
      const body = expectStatus<{ errors: { field: string; reason: string }[] }>(response, 422);
      expect(body.errors).toEqual([{ field: 'body.endpoint', reason: expect.stringMatching(/not (as )?an S3 server|other than an S3 server|not HTTP/) }]);
      expect(response.body).not.toContain(BANNER);
      expect(response.body).not.toContain(INTERNAL_ADDRESS);
    } finally {
      await hostile.close();
    }
  });
});
