import type { Client } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createControlActivities } from '../../activities/control/index.js';
import { readRepositorySecret } from '../../lib/db/storage-target-secrets.js';
import { storageTargets } from '../../lib/db/schema/index.js';
import { createS3Target, expectStatus } from '../api/helpers/fixtures.js';
import { stackEnv } from '../support/stack-env.js';
import { authorized, startTestApi, type TestApi } from '../api/helpers/test-api.js';

let api: TestApi;
let orgId: string;
let admin: ReturnType<typeof authorized>;

beforeAll(async () => {
  api = await startTestApi();
  const organization = await api.createOrganization();
  orgId = organization.orgId;
  admin = authorized(api.app, organization.keys.admin);
});

afterAll(async () => {
  await api?.close();
});

function activities() {
  // resolveRepositoryAccess never talks to Temporal.
  return createControlActivities({ db: api.running.database.db, keyring: api.config.keyring, installationKeyring: api.config.keyring, temporal: { client: {} as Client, namespace: 'default' }, clock: () => new Date() });
}

async function targetRow(id: string) {
  const [row] = await api.running.database.db.select().from(storageTargets).where(eq(storageTargets.id, id));
  return row!;
}

describe('repository secrets of storage targets', () => {
  it('are created with the target, random per target, encrypted, and never returned by the API', async () => {
    const first = await createS3Target(admin, { prefix: 'a' });
    const second = await createS3Target(admin, { prefix: 'b' });
    const [rowA, rowB] = [await targetRow(first.id), await targetRow(second.id)];
    const [secretA, secretB] = [readRepositorySecret(api.config.keyring, rowA), readRepositorySecret(api.config.keyring, rowB)];
    expect(secretA).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(secretB).not.toBe(secretA);
    expect(rowA.repositorySecretCiphertext).not.toContain(secretA);
    const shown = expectStatus(await admin.get(`/storage-targets/${first.id}`), 200);
    expect(JSON.stringify(shown)).not.toContain(secretA);
  });

  it('resolve into repository access under the target\'s prefix, with credentials and SafeLock retention', async () => {
    const target = await createS3Target(admin, { prefix: 'team/prod/', objectLockCapable: true });
    const access = await activities().resolveRepositoryAccess({ orgId, storageTargetId: target.id, retention: { days: 30, safeLock: true } });
    expect(access).toEqual({
      storageTargetId: target.id,
      location: `s3://${stackEnv('S3_BUCKET')}/team/prod/repository`,
      s3: { endpoint: stackEnv('S3_ENDPOINT'), region: stackEnv('S3_REGION'), pathStyle: true, accessKeyId: stackEnv('S3_ACCESS_KEY_ID'), secretAccessKey: stackEnv('S3_SECRET_ACCESS_KEY') },
      secret: readRepositorySecret(api.config.keyring, await targetRow(target.id)),
      retentionDays: 30,
    });
    const unlocked = await activities().resolveRepositoryAccess({ orgId, storageTargetId: target.id, retention: { days: 30, safeLock: false } });
    expect(unlocked.retentionDays).toBeUndefined();
  });

  it('are created once, on the first backup, for a target that predates them, even by two runs at once', async () => {
    const target = await createS3Target(admin);
    await api.running.database.db.update(storageTargets).set({ repositorySecretCiphertext: null }).where(eq(storageTargets.id, target.id));
    const request = { orgId, storageTargetId: target.id, retention: { days: 7, safeLock: false } };
    const [one, two] = await Promise.all([activities().resolveRepositoryAccess(request), activities().resolveRepositoryAccess(request)]);
    expect(one.secret).toBe(two.secret);
    expect(readRepositorySecret(api.config.keyring, await targetRow(target.id))).toBe(one.secret);
  });

  it('are not handed to another organization', async () => {
    const target = await createS3Target(admin);
    const other = await api.createOrganization();
    await expect(activities().resolveRepositoryAccess({ orgId: other.orgId, storageTargetId: target.id, retention: { days: 7, safeLock: false } })).rejects.toThrow(
      `storage target ${target.id} no longer exists`,
    );
  });
});
