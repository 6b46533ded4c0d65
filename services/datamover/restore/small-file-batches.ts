import type { ManifestEntry } from '../../../proto/repository/index.js';
import type { Semaphore } from '../controls/semaphore.js';
import type { ChunkReader } from './chunk-reader.js';
import type { RestoreWriters } from './restore-writers.js';
import type { SmallFile } from './writer-messages.js';

/** A batch is written by one thread in one go: big enough to make a message cheap per file, small enough to spread. */
const MAX_BATCH_FILES = 256;
const MAX_BATCH_BYTES = 2 * 1024 * 1024;

interface PendingFile {
  entry: ManifestEntry;
  absolutePath: string;
  bundle: Promise<Buffer>;
  written: () => void;
}

interface Batch {
  files: PendingFile[];
  bytes: number;
  done: Promise<void>;
  start: () => void;
}

export interface SmallFileBatchOptions {
  reader: ChunkReader;
  writers: RestoreWriters;
  /** One permit per batch in flight, shared with the restore's other files. */
  slots: Semaphore;
  replace: boolean;
  restoreOwners: boolean;
  /** The first batch that fails; the restore stops taking entries. */
  onFailure: (error: unknown) => void;
}

/**
 * Small files (slices of bundles) restored in batches: consecutive entries are gathered, their bundles
 * fetched as soon as the entries are seen (so many bundle reads overlap, which on S3 is most of the cost),
 * and each batch's content is handed to one writer thread with the files to create.
 */
export class SmallFileBatches {
  private current: Batch | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: SmallFileBatchOptions) {}

  /**
   * Waits for room for a new batch if needed. `written` is called once the file is written (callbacks,
   * not a promise per file: at tens of thousands of files the promises alone cost more than the writes);
   * `batch` settles with the file's batch.
   */
  async add(entry: ManifestEntry, absolutePath: string, written: () => void): Promise<{ batch: Promise<void> }> {
    if (!this.current) await this.open();
    const batch = this.current!;
    const bundle = this.options.reader.read(entry.bundle!.id, entry.path);
    // Awaited when the batch is written; until then a failed read must not count as unhandled.
    bundle.catch(() => undefined);
    batch.files.push({ entry, absolutePath, bundle, written });
    batch.bytes += entry.size;
    if (batch.files.length >= MAX_BATCH_FILES || batch.bytes >= MAX_BATCH_BYTES) this.flush();
    return { batch: batch.done };
  }

  /** Sends what is gathered and waits for every batch. */
  async drain(): Promise<void> {
    this.flush();
    while (this.inFlight.size > 0) await Promise.allSettled(this.inFlight);
  }

  /** Sends the batch being gathered; call before waiting on any file in it, and at the end. */
  flush(): void {
    const batch = this.current;
    this.current = undefined;
    batch?.start();
  }

  private async open(): Promise<void> {
    await this.options.slots.acquire();
    let start!: () => void;
    const started = new Promise<void>((resolve) => (start = resolve));
    const batch: Batch = { files: [], bytes: 0, start, done: started.then(() => this.write(batch)) };
    const settled = batch.done
      .then(() => batch.files.forEach((file) => file.written()))
      .catch((error: unknown) => this.options.onFailure(error))
      .finally(() => {
        this.options.slots.release();
        this.inFlight.delete(settled);
      });
    this.inFlight.add(settled);
    this.current = batch;
  }

  private async write(batch: Batch): Promise<void> {
    const bundles = await Promise.all(batch.files.map((file) => file.bundle));
    const data = Buffer.allocUnsafeSlow(batch.bytes);
    const files: SmallFile[] = [];
    let start = 0;
    batch.files.forEach(({ entry, absolutePath }, i) => {
      const { offset } = entry.bundle!;
      bundles[i]!.copy(data, start, offset, offset + entry.size);
      files.push({ path: absolutePath, start, size: entry.size, attributes: { mode: entry.mode, uid: entry.uid, gid: entry.gid, mtimeNs: entry.mtimeNs } });
      start += entry.size;
    });
    await this.options.writers.run({ op: 'small-files', files, data, replace: this.options.replace, restoreOwners: this.options.restoreOwners });
  }
}
