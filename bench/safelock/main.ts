import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBackup } from '../../lib/datamover/backup/backup.js';
import { openBackend } from '../../lib/datamover/cli/target.js';
import { lockSnapshots } from '../../lib/datamover/maintenance/lock-snapshots.js';
import { Repository } from '../../lib/datamover/repository/repository.js';
import type { StorageBackend } from '../../lib/datamover/storage/backend.js';
import { up } from '../../scripts/stack/stack.js';
import { applyScatteredChanges, generateDataset, type DatasetShape } from '../datamover/dataset.js';
import { numberFlag } from '../flags.js';

/**
 * What SafeLock's lock coverage costs a backup: on the stack's S3 server (versitygw), an unlocked first
 * backup of a dataset, scattered changes, then a SafeLocked incremental backup (its own new objects
 * locked for a day as they are written), then `lockSnapshots` extending every object that backup needs
 * (most of them reused from the unlocked one) to seven days, and once more (everything already held:
 * the cost of a retried lock step). Reported: objects, S3 requests by kind, seconds, and the lock's
 * seconds against the incremental backup's.
 *
 *   npm run bench -- safelock [--scale 0.1]
 */
/** Counts the storage calls made through it; GetObjectRetention/PutObjectRetention follow from extendRetention's answers. */
class CountingBackend implements StorageBackend {
  readonly counts = { get: 0, list: 0, head: 0, put: 0, delete: 0, getRetention: 0, putRetention: 0 };
  constructor(private readonly inner: StorageBackend) {}
  get location() {
    return this.inner.location;
  }
  put: StorageBackend['put'] = (...args) => (this.counts.put++, this.inner.put(...args));
  get: StorageBackend['get'] = (...args) => (this.counts.get++, this.inner.get(...args));
  head: StorageBackend['head'] = (...args) => (this.counts.head++, this.inner.head(...args));
  list: StorageBackend['list'] = (...args) => (this.counts.list++, this.inner.list(...args));
  delete: StorageBackend['delete'] = (...args) => (this.counts.delete++, this.inner.delete(...args));
  retainedUntil: StorageBackend['retainedUntil'] = (...args) => (this.counts.getRetention++, this.inner.retainedUntil(...args));
  extendRetention: StorageBackend['extendRetention'] = async (...args) => {
    this.counts.getRetention++;
    const changed = await this.inner.extendRetention(...args);
    if (changed) this.counts.putRetention++;
    return changed;
  };
  reset() {
    for (const key of Object.keys(this.counts) as (keyof typeof this.counts)[]) this.counts[key] = 0;
  }
}

export async function main(args: string[]): Promise<void> {
  const scale = numberFlag(args, 'scale', 0.1);
  const env = process.env.S3_ENDPOINT ? (process.env as Record<string, string>) : await up(0);
  const shape: DatasetShape = { dbFiles: 2, dbFileMiB: Math.max(1, Math.round(768 * scale)), randomFiles: 12, randomFileMiB: Math.max(1, Math.round(32 * scale)), smallFiles: Math.max(100, Math.round(50_000 * scale)) };
  const work = await mkdtemp(join(tmpdir(), 'haven-bench-safelock-'));
  const secret = randomUUID();
  const location = `s3://${env.S3_BUCKET}/bench/safelock-${randomUUID()}/repository`;
  const s3 = { repository: location, s3Endpoint: env.S3_ENDPOINT, s3Region: env.S3_REGION ?? 'us-east-1', s3PathStyle: true, s3AccessKeyId: env.S3_ACCESS_KEY_ID, s3SecretAccessKey: env.S3_SECRET_ACCESS_KEY };
  try {
    const source = join(work, 'data');
    const { files, bytes } = await generateDataset(source, shape);
    const unlocked = await Repository.init(await openBackend(s3), secret);
    await runBackup(unlocked, { source, volume: 'bench/data' });
    await applyScatteredChanges(source, shape);

    const locked = await Repository.open(await openBackend({ ...s3, retentionDays: 1 }), secret);
    const backupStart = performance.now();
    const { snapshot } = await runBackup(locked, { source, volume: 'bench/data' });
    const backupSeconds = (performance.now() - backupStart) / 1000;

    const counting = new CountingBackend(await openBackend(s3));
    const repository = await Repository.open(counting, secret);
    const until = new Date(Date.now() + 7 * 86_400_000);
    const rows: Record<string, string | number>[] = [];
    for (const round of ['first lock', 'again (retried)', 'again (retried)']) {
      counting.reset();
      const start = performance.now();
      const report = await lockSnapshots(repository, [snapshot.id], until);
      const seconds = (performance.now() - start) / 1000;
      rows.push({ round, objects: report.objects, extended: report.extended, ...counting.counts, seconds: seconds.toFixed(2), of_backup: `${((100 * seconds) / backupSeconds).toFixed(1)} %` });
    }
    console.log(`dataset: ${files} files, ${(bytes / 1e6).toFixed(0)} MB; SafeLocked incremental backup ${backupSeconds.toFixed(2)} s on ${env.S3_ENDPOINT}`);
    console.table(rows);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
