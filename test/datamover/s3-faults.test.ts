import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackup } from '../../lib/datamover/backup/backup.js';
import { verifyRepository } from '../../lib/datamover/maintenance/verify.js';
import { Repository } from '../../lib/datamover/repository/repository.js';
import { runRestore } from '../../lib/datamover/restore/restore.js';
import { DEFAULT_RETRY_POLICY } from '../../lib/datamover/storage/retry.js';
import { S3Backend, type S3TargetConfig } from '../../lib/datamover/storage/s3-backend.js';
import { sdkOperations } from '../../lib/datamover/storage/s3-sdk-operations.js';
import { startS3FaultProxy, type S3FaultProxy } from '../support/s3-fault-proxy.js';
import { s3Server } from '../support/s3-servers.js';
import { scratchDir, TEST_KDF_COST, TEST_SECRET } from './helpers/repository-fixture.js';
import { comparable, digestTree } from './helpers/tree-digest.js';
import { TreeBuilder } from './helpers/tree-builder.js';

/**
 * Whole backups and restores through storage that misbehaves at set rates (server errors, connections
 * reset before and after the server acted, bodies cut short, slow answers): each must complete, restore
 * byte for byte, and leave a repository that verifies over a clean link.
 */
const RATES = { serverError: 0.1, reset: 0.08, truncate: 0.08, slow: 0.05 };
// Short backoff: the faults are many and the test is about outcomes, not about waiting.
const FAST_RETRIES = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 20, maxDelayMs: 200 };

const server = s3Server('versitygw');
let scratch: Awaited<ReturnType<typeof scratchDir>>;
let proxy: S3FaultProxy;
let source: string;

function target(endpoint: string, prefix: string): S3TargetConfig {
  return { bucket: server.bucket, prefix, region: server.region, endpoint, forcePathStyle: true, accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey };
}

beforeAll(async () => {
  scratch = await scratchDir('s3-faults');
  proxy = await startS3FaultProxy(server.endpoint, { rates: RATES, seed: 21 });
  source = join(scratch.path, 'source');
  const tree = new TreeBuilder(source);
  await tree.file('big.bin', randomBytes(6_000_000));
  for (let i = 0; i < 150; i++) await tree.file(`small/${i}.txt`, `small file ${i} `.repeat(50 + i));
  await tree.symlink('link', 'big.bin');
});

afterAll(async () => {
  await proxy?.close();
  await scratch?.cleanup();
});

const clients = {
  'plain HTTP': (config: S3TargetConfig) => new S3Backend(config, undefined, FAST_RETRIES),
  SDK: (config: S3TargetConfig) => new S3Backend(config, sdkOperations(config), FAST_RETRIES),
};

describe('backups and restores through a faulty S3 link', () => {
  for (const [name, open] of Object.entries(clients)) {
    it(`${name}: completes, restores byte for byte, and the repository verifies`, async () => {
      const prefix = `datamover-test/faults-${randomUUID()}`;
      const before = proxy.counts();
      const faulty = await Repository.init(open(target(proxy.endpoint, prefix)), TEST_SECRET, { kdfCost: TEST_KDF_COST });
      const first = await runBackup(faulty, { source, volume: 'pv' });
      // A second backup on top: its index and snapshot writes meet faults with a repository that already has data.
      await new TreeBuilder(source).file(`added-${name.replace(/\W/g, '')}.bin`, randomBytes(500_000));
      const second = await runBackup(await Repository.open(open(target(proxy.endpoint, prefix)), TEST_SECRET), { source, volume: 'pv' });
      expect(second.snapshot.id).not.toBe(first.snapshot.id);

      const restored = join(scratch.path, `restored-${randomUUID()}`);
      await runRestore(await Repository.open(open(target(proxy.endpoint, prefix)), TEST_SECRET), { snapshotId: second.snapshot.id, target: restored });
      expect(comparable(await digestTree(restored))).toEqual(comparable(await digestTree(source)));

      const clean = await Repository.open(new S3Backend(target(server.endpoint, prefix)), TEST_SECRET);
      const report = await verifyRepository(clean, { readData: true });
      expect(report.problems).toEqual([]);
      expect(report.snapshots).toBe(2);

      const after = proxy.counts();
      console.log(`[s3-faults] ${name}: ${after.requests - before.requests} requests, faults ${JSON.stringify(Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - before[k as keyof typeof before]])))}`);
      for (const kind of ['serverError', 'reset', 'truncate', 'slow'] as const) expect(after[kind] - before[kind], kind).toBeGreaterThan(0);
    }, 180_000);
  }
});
