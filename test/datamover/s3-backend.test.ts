import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { GetObjectRetentionCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackup } from '../../lib/datamover/backup/backup.js';
import { ObjectExistsError, ObjectNotFoundError, ObjectRetainedError } from '../../lib/datamover/errors.js';
import { verifyRepository } from '../../lib/datamover/maintenance/verify.js';
import { Repository } from '../../lib/datamover/repository/repository.js';
import { runRestore } from '../../lib/datamover/restore/restore.js';
import type { S3TargetConfig } from '../../lib/datamover/storage/s3-backend.js';
import { S3Backend } from '../../lib/datamover/storage/s3-backend.js';
import { createS3Client, sdkOperations } from '../../lib/datamover/storage/s3-sdk-operations.js';
import { scratchDir, TEST_KDF_COST, TEST_SECRET } from './helpers/repository-fixture.js';
import { comparable, digestTree } from './helpers/tree-digest.js';
import { TreeBuilder } from './helpers/tree-builder.js';
import { s3Server, s3Servers, type S3Server } from '../support/s3-servers.js';

function target(server: S3Server, retentionDays?: number): S3TargetConfig {
  return {
    bucket: server.bucket,
    prefix: `datamover-test/${randomUUID()}`,
    region: server.region,
    endpoint: server.endpoint,
    forcePathStyle: true,
    accessKeyId: server.accessKeyId,
    secretAccessKey: server.secretAccessKey,
    ...(retentionDays ? { retention: { days: retentionDays } } : {}),
  };
}

// Plain HTTP is what an http endpoint with static keys gets; the SDK serves TLS endpoints, credential
// chains and servers whose answers the plain client cannot read. Both must behave the same.
const clients = {
  'plain HTTP': (config: S3TargetConfig) => new S3Backend(config),
  SDK: (config: S3TargetConfig) => new S3Backend(config, sdkOperations(config)),
};

// The local stack always provides S3: a missing endpoint fails loudly rather than skipping the suite.
describe('S3 backend against a real S3 server', () => {
  const server = s3Server('versitygw');

  for (const [name, open] of Object.entries(clients)) {
    it(`${name}: puts atomically, reads ranges, lists by prefix and creates only if absent`, async () => {
      const backend = open(target(server));
      await backend.put('a/one', Buffer.from('0123456789'));
      await backend.put('a/two', Buffer.from('x'));
      // Listed keys come back XML-escaped: they must be unescaped exactly.
      await backend.put('a/&<odd> "name\' ünï', Buffer.from('z'));
      await backend.put('b/three', Buffer.from('y'));
      expect((await backend.get('a/one', { offset: 3, length: 4 })).toString()).toBe('3456');
      expect((await backend.get('a/one')).toString()).toBe('0123456789');
      const listed: string[] = [];
      for await (const object of backend.list('a/')) listed.push(object.key);
      expect(listed.sort()).toEqual(['a/&<odd> "name\' ünï', 'a/one', 'a/two']);
      expect(await backend.head('a/one')).toMatchObject({ key: 'a/one', size: 10 });
      await expect(backend.put('a/one', Buffer.from('again'), { ifAbsent: true })).rejects.toBeInstanceOf(ObjectExistsError);
      await backend.delete('a/two');
      await expect(backend.get('a/two')).rejects.toBeInstanceOf(ObjectNotFoundError);
      expect(await backend.head('a/two')).toBeUndefined();
      expect(await backend.retainedUntil('a/one')).toBeUndefined();
    });
  }
});

describe.each(s3Servers())('S3 backend with Object Lock on $name', (server) => {
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  let client: S3Client;

  beforeAll(async () => {
    scratch = await scratchDir('s3');
    client = createS3Client(target(server));
  });
  afterAll(() => scratch.cleanup());

  for (const [name, open] of Object.entries(clients)) {
    it(`${name}: an immutable target locks every object it writes in COMPLIANCE mode and refuses to delete it`, async () => {
      const config = target(server, 1);
      const backend = open(config);
      await backend.put('locked', Buffer.from('keep me'));
      const retention = await client.send(new GetObjectRetentionCommand({ Bucket: config.bucket, Key: `${config.prefix}/locked` }));
      expect(retention.Retention?.Mode).toBe('COMPLIANCE');
      expect(retention.Retention!.RetainUntilDate!.getTime()).toBeGreaterThan(Date.now() + 23 * 3_600_000);
      expect((await backend.retainedUntil('locked'))!.getTime()).toBe(retention.Retention!.RetainUntilDate!.getTime());
      await expect(backend.delete('locked')).rejects.toBeInstanceOf(ObjectRetainedError);
      expect((await backend.get('locked')).toString()).toBe('keep me');
    });
  }

  it('backs up, verifies and restores through an immutable S3 repository', async () => {
    const config = target(server, 1);
    const backend = new S3Backend(config);
    const repository = await Repository.init(backend, TEST_SECRET, { kdfCost: TEST_KDF_COST });
    const source = join(scratch.path, 'source');
    const tree = new TreeBuilder(source);
    await tree.file('big.bin', randomBytes(5_000_000));
    for (let i = 0; i < 200; i++) await tree.file(`small/${i}.txt`, `small file ${i}`);
    await tree.symlink('link', 'big.bin');
    const { snapshot } = await runBackup(repository, { source, volume: 's3-pv' });
    const reopened = await Repository.open(new S3Backend(config), TEST_SECRET);
    expect((await verifyRepository(reopened)).problems).toEqual([]);
    const restored = join(scratch.path, 'restored');
    await runRestore(reopened, { snapshotId: snapshot.id, target: restored });
    expect(comparable(await digestTree(restored))).toEqual(comparable(await digestTree(source)));
    for await (const object of backend.list('')) {
      if (object.key.startsWith('locks/')) continue;
      expect(await backend.retainedUntil(object.key), object.key).toBeInstanceOf(Date);
    }
  });
});
