import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCredentials } from '../../lib/db/storage-target-secrets.js';
import { storageTargets } from '../../lib/db/schema/index.js';
import { createBackupDefinition, createCluster, createS3Target, expectStatus, insertRecoveryPoint } from './helpers/fixtures.js';
import { authorized, putCurrent, startTestApi } from './helpers/test-api.js';
import { stackEnv } from '../support/stack-env.js';
import type { Client, TestApi, TestOrganization } from './helpers/test-api.js';

let api: TestApi;
let org: TestOrganization;
let admin: Client;
// Targets are probed when saved: these are the stack's object store and its real keys.
const SECRET = stackEnv('S3_SECRET_ACCESS_KEY');
const ACCESS_KEY = stackEnv('S3_ACCESS_KEY_ID');

const s3 = (overrides: Record<string, unknown> = {}) => ({
  name: 'minio',
  kind: 'S3',
  endpoint: stackEnv('S3_ENDPOINT'),
  bucket: stackEnv('S3_PLAIN_BUCKET'),
  credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET },
  ...overrides,
});

beforeAll(async () => {
  api = await startTestApi();
  org = await api.createOrganization();
  admin = authorized(api.app, org.keys.admin);
});
afterAll(() => api?.close());

describe('storage targets', () => {
  it('creates an S3 target with documented defaults and never returns the credentials', async () => {
    const created = expectStatus(await admin.post('/storage-targets', s3({ name: 's3-defaults' })), 201);
    expect(created).toMatchObject({
      kind: 'S3',
      region: 'us-east-1',
      prefix: '',
      pathStyle: false,
      skipTlsVerify: false,
      objectLockCapable: false,
      hasCredentials: true,
    });
    expect(created).not.toHaveProperty('credentials');
    const read = await admin.get(`/storage-targets/${created.id}`);
    const list = await admin.get('/storage-targets');
    for (const body of [JSON.stringify(created), read.body, list.body]) {
      expect(body).not.toContain(SECRET);
      expect(body).not.toContain(ACCESS_KEY);
    }
  });

  it('encrypts credentials at rest with AES-256-GCM and can decrypt them for the workers', async () => {
    const created = expectStatus<{ id: string }>(await admin.post('/storage-targets', s3({ name: 's3-at-rest' })), 201);
    const raw = await api.running.database.pool.query('select * from storage_targets where id = $1', [created.id]);
    expect(JSON.stringify(raw.rows)).not.toContain(SECRET);
    expect(raw.rows[0].credentials_ciphertext).toMatch(/^v1\.test1\./);
    const [row] = await api.running.database.db.select().from(storageTargets).where(eq(storageTargets.id, created.id));
    expect(readCredentials(api.config.keyring, row as typeof storageTargets.$inferSelect)).toEqual({
      accessKeyId: ACCESS_KEY,
      secretAccessKey: SECRET,
    });
  });

  it('keeps stored credentials when an update leaves them out, and replaces them when given', async () => {
    const created = expectStatus<{ id: string }>(await admin.post('/storage-targets', s3({ name: 's3-update' })), 201);
    const before = (await api.running.database.pool.query('select credentials_ciphertext c from storage_targets where id = $1', [created.id])).rows[0].c;
    // The stored credentials are the ones probed when an update leaves them out.
    const kept = await putCurrent(admin, `/storage-targets/${created.id}`, (current) => ({
      ...s3({ name: 's3-update', prefix: 'moved' }),
      credentials: undefined,
      objectLockCapable: current.objectLockCapable,
    }));
    expect(expectStatus(kept, 200)).toMatchObject({ prefix: 'moved', hasCredentials: true, version: 2 });
    const after = (await api.running.database.pool.query('select credentials_ciphertext c from storage_targets where id = $1', [created.id])).rows[0].c;
    expect(after).toBe(before);
    const replaced = await putCurrent(admin, `/storage-targets/${created.id}`, () => s3({ name: 's3-update', credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET } }));
    expectStatus(replaced, 200);
    const rotated = (await api.running.database.pool.query('select credentials_ciphertext c from storage_targets where id = $1', [created.id])).rows[0].c;
    expect(rotated).not.toBe(before);
  });

  describe('probes an S3 target before saving it, answering 422 naming the field to fix', () => {
    let web: Server;
    let webEndpoint: string;
    beforeAll(async () => {
      // Any web server: it answers 200 to everything, with nothing S3 about it.
      web = createServer((_request, response) => response.end('<html>internal admin page</html>'));
      await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
      webEndpoint = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => web.close(() => resolve())));

    const count = async () => Number((await api.running.database.pool.query('select count(*) n from storage_targets where org_id = $1', [org.orgId])).rows[0].n);

    it.each([
      ['an endpoint nothing listens on', () => ({ endpoint: 'http://127.0.0.1:1' }), 'body.endpoint', /refused the connection \(ECONNREFUSED\)/],
      ['a web server that is not S3', () => ({ endpoint: webEndpoint }), 'body.endpoint', /not as an S3 server/],
      ['a wrong secret', () => ({ credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: 'not-the-secret' } }), 'body.credentials', /refused these credentials/],
      ['an unknown access key', () => ({ credentials: { accessKeyId: 'nobody', secretAccessKey: SECRET } }), 'body.credentials', /refused these credentials/],
      ['a bucket that does not exist', () => ({ bucket: 'no-such-bucket' }), 'body.bucket', /does not exist/],
      ['Object Lock on a bucket without it', () => ({ bucket: stackEnv('S3_PLAIN_BUCKET'), objectLockCapable: true }), 'body.objectLockCapable', /no Object Lock configuration/],
    ])('refuses %s, storing nothing', async (_case, overrides, field, reason) => {
      const before = await count();
      const response = expectStatus<{ errors: { field: string; reason: string }[] }>(await admin.post('/storage-targets', s3({ name: 'probed', pathStyle: true, ...overrides() })), 422);
      expect(response.errors).toEqual([{ field, reason: expect.stringMatching(reason) }]);
      // The server's own answer is not echoed: an endpoint aimed inside the network reveals nothing through the API.
      expect(JSON.stringify(response)).not.toContain('internal admin page');
      expect(await count()).toBe(before);
    });

    it('takes objectLockCapable from the bucket, whatever was sent', async () => {
      const locked = expectStatus(await admin.post('/storage-targets', s3({ name: 'locked-bucket', pathStyle: true, bucket: stackEnv('S3_BUCKET'), objectLockCapable: false })), 201);
      expect(locked.objectLockCapable).toBe(true);
      const plain = expectStatus(await admin.post('/storage-targets', s3({ name: 'plain-bucket', pathStyle: true })), 201);
      expect(plain.objectLockCapable).toBe(false);
    });

    it('probes an update too, with the stored credentials when it leaves them out, and keeps the target as it was when refused', async () => {
      const created = expectStatus<{ id: string }>(await admin.post('/storage-targets', s3({ name: 'probed-update', pathStyle: true })), 201);
      const refused = await putCurrent(admin, `/storage-targets/${created.id}`, () => s3({ name: 'probed-update', pathStyle: true, bucket: 'no-such-bucket', credentials: undefined }));
      expect(expectStatus<{ errors: { field: string }[] }>(refused, 422).errors.map((e) => e.field)).toEqual(['body.bucket']);
      const badKeys = await putCurrent(admin, `/storage-targets/${created.id}`, () => s3({ name: 'probed-update', pathStyle: true, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: 'rotated-wrong' } }));
      expect(expectStatus<{ errors: { field: string }[] }>(badKeys, 422).errors.map((e) => e.field)).toEqual(['body.credentials']);
      expect(expectStatus(await admin.get(`/storage-targets/${created.id}`), 200)).toMatchObject({ bucket: stackEnv('S3_PLAIN_BUCKET'), version: 1 });
    });
  });

  it.each([
    ['the installation root itself', () => '/srv/haven', /inside this organization's directory/],
    ['another organization\'s directory', () => `/srv/haven/${crypto.randomUUID()}`, /inside this organization's directory/],
    ['an escape with ..', () => `/srv/haven/${org.orgId}/../other`, /without "\.\."/],
    ['a path outside the root', () => '/etc', /inside this organization's directory/],
  ])('refuses a filesystem target at %s (422 naming body.path), storing nothing', async (_case, path, reason) => {
    const response = expectStatus<{ errors: unknown[] }>(await admin.post('/storage-targets', { name: 'fs-refused', kind: 'FILESYSTEM', path: path() }), 422);
    expect(response.errors).toEqual([{ field: 'body.path', reason: expect.stringMatching(reason) }]);
  });

  it('refuses filesystem targets altogether where the installation has no root for them', async () => {
    const bare = await startTestApi({ env: { HAVEN_FILESYSTEM_TARGETS_ROOT: '' } });
    try {
      const owner = await bare.createOrganization();
      const response = expectStatus<{ errors: unknown[] }>(await authorized(bare.app, owner.keys.admin).post('/storage-targets', { name: 'fs', kind: 'FILESYSTEM', path: `/srv/haven/${owner.orgId}` }), 422);
      expect(response.errors).toEqual([{ field: 'body.path', reason: expect.stringContaining('no filesystem target root') }]);
    } finally {
      await bare.close();
    }
  });

  it('refuses an S3 endpoint on a loopback, private or link-local address the installation does not allow', async () => {
    const strict = await startTestApi({ env: { HAVEN_STORAGE_PRIVATE_NETWORKS: '' } });
    try {
      const owner = authorized(strict.app, (await strict.createOrganization()).keys.admin);
      for (const endpoint of [stackEnv('S3_ENDPOINT'), 'http://169.254.169.254', 'http://10.1.2.3:9000', 'http://[::1]:9000', 'http://[::ffff:127.0.0.1]:9000', 'http://localhost:9000',
        // NAT64 (well-known and local-use), 6to4 and IPv4-compatible forms of the metadata service's address.
        'http://[64:ff9b::a9fe:a9fe]', 'http://[64:ff9b:1::a9fe:a9fe]', 'http://[2002:a9fe:a9fe::1]', 'http://[::a9fe:a9fe]']) {
        const response = expectStatus<{ errors: unknown[] }>(await owner.post('/storage-targets', s3({ name: 'internal', pathStyle: true, endpoint })), 422);
        expect(response.errors, endpoint).toEqual([{ field: 'body.endpoint', reason: expect.stringContaining('private, loopback or link-local') }]);
      }
    } finally {
      await strict.close();
    }
  });

  it('creates a filesystem target', async () => {
    const path = `/srv/haven/${org.orgId}/backups`;
    const created = expectStatus(await admin.post('/storage-targets', { name: 'local', kind: 'FILESYSTEM', path }), 201);
    expect(created).toMatchObject({ kind: 'FILESYSTEM', path, objectLockCapable: false });
    expect(created).not.toHaveProperty('bucket');
  });

  it.each([
    ['missing credentials', { credentials: undefined }, 'body.credentials'],
    ['a relative endpoint', { endpoint: 'minio:9000' }, 'body.endpoint'],
    ['a bucket with capitals', { bucket: 'Haven' }, 'body.bucket'],
    ['a too-short bucket', { bucket: 'ab' }, 'body.bucket'],
    ['a prefix with a leading slash', { prefix: '/backups' }, 'body.prefix'],
    ['an empty secret', { credentials: { accessKeyId: 'a', secretAccessKey: '' } }, 'body.credentials.secretAccessKey'],
    ['a filesystem field on S3', { path: '/x' }, 'body.path'],
  ])('rejects %s naming %s', async (_case, overrides, field) => {
    const response = expectStatus<{ errors: { field: string }[] }>(await admin.post('/storage-targets', s3({ name: 'bad', ...overrides })), 400);
    expect(response.errors.map((e) => e.field)).toContain(field);
  });

  it('rejects an unknown kind and a relative filesystem path', async () => {
    expectStatus(await admin.post('/storage-targets', { name: 'x', kind: 'AZURE' }), 400);
    const relative = expectStatus(await admin.post('/storage-targets', { name: 'x', kind: 'FILESYSTEM', path: 'srv/haven' }), 400);
    expect(relative.errors).toEqual([{ field: 'body.path', reason: 'must match pattern "^/"' }]);
  });

  it('refuses a duplicate name with 409 naming the field', async () => {
    expectStatus(await admin.post('/storage-targets', s3({ name: 'dup' })), 201);
    const response = expectStatus(await admin.post('/storage-targets', s3({ name: 'dup' })), 409);
    expect(response).toMatchObject({ code: 'name-taken', errors: [{ field: 'body.name' }] });
  });

  it('refuses deletion while the organization, a cluster, a definition or a recovery point uses it', async () => {
    const target = await createS3Target(admin);
    const cluster = await createCluster(admin, { defaultStorageTargetId: target.id });
    const definition = await createBackupDefinition(admin, cluster.id, { advanced: { destinationStorageTargetId: target.id } });
    await insertRecoveryPoint(api.running.database.db, { orgId: org.orgId, storageTargetId: target.id });
    const refused = expectStatus<{ references: { kind: string; name: string }[] }>(await admin.delete(`/storage-targets/${target.id}`), 409);
    expect(refused).toMatchObject({ code: 'still-referenced' });
    expect(refused.references.map((r) => r.kind)).toEqual(['cluster', 'backup-definition', 'recovery-point']);
    expect(refused.references.map((r) => r.name)).toContain(definition.name);
  });

  it('deletes an unused target', async () => {
    const target = await createS3Target(admin);
    expectStatus(await admin.delete(`/storage-targets/${target.id}`), 204);
    expectStatus(await admin.get(`/storage-targets/${target.id}`), 404);
  });

  it('never writes a secret to the log', async () => {
    expectStatus(await admin.post('/storage-targets', s3({ name: 'logged' })), 201);
    expectStatus(await admin.post('/storage-targets', s3({ name: 'logged', bucket: 'X' })), 400);
    const logs = api.logText();
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain(SECRET);
    expect(logs).not.toContain(org.keys.admin);
  });
});
