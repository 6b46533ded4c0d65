import type { ManifestEntry } from '../../../proto/repository/index.js';
import type { Semaphore } from '../controls/semaphore.js';
import type { ChunkReader } from './chunk-reader.js';
import type { RestoreWriters } from './restore-writers.js';
import type { SmallFile, StoredBundle } from './writer-messages.js';

/**
 * A batch goes to one writer thread in one message. It closes only where a new bundle starts, so a bundle is
 * fetched and opened once, by one thread; these limits say when the next bundle starts a new batch.
 */
const BATCH_FILES = 256;
const BATCH_STORED_BYTES = 2 * 1024 * 1024;

interface PendingFile {
  entry: ManifestEntry;
  absolutePath: string;
  bundle: number;
  written: () => void;
}

interface Batch {
  files: PendingFile[];
  /** Bundle ids in the order first used, and their fetches (raw stored bytes, opened on the thread). */
  bundleIndex: Map<string, number>;
  bundles: Promise<StoredBundle>[];
  storedBytes: number;
  done: Promise<void>;
  start: () => void;
}

interface SmallFileBatchOptions {
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
 * and each batch — stored bundles and the files to cut from them — goes to one writer thread, which opens
 * and verifies the bundles and creates the files. The main thread only walks and fetches.
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
    const bundleId = entry.bundle!.id;
    const full = this.current && (this.current.files.length >= BATCH_FILES || this.current.storedBytes >= BATCH_STORED_BYTES);
    if (full && !this.current!.bundleIndex.has(bundleId)) this.flush();
    if (!this.current) await this.open();
    const batch = this.current!;
    let bundle = batch.bundleIndex.get(bundleId);
    if (bundle === undefined) {
      bundle = batch.bundles.length;
      batch.bundleIndex.set(bundleId, bundle);
      const [run] = this.options.reader.runs([bundleId]);
      batch.storedBytes += run!.storedBytes;
      const fetching = this.options.reader.fetchRun(run!, entry.path).then(({ stored, chunks }) => ({ chunk: chunks[0]!, stored }));
      // Awaited when the batch is written; until then a failed read must not count as unhandled.
      fetching.catch(() => undefined);
      batch.bundles.push(fetching);
    }
    batch.files.push({ entry, absolutePath, bundle, written });
    return { batch: batch.done };
  }

  /** Sends the batch being gathered; call before waiting on any file in it. */
  flush(): void {
    const batch = this.current;
    this.current = undefined;
    batch?.start();
  }

  /** Sends what is gathered and waits for every batch. */
  async drain(): Promise<void> {
    this.flush();
    while (this.inFlight.size > 0) await Promise.allSettled(this.inFlight);
  }

  private async open(): Promise<void> {
    await this.options.slots.acquire();
    let start!: () => void;
    const started = new Promise<void>((resolve) => (start = resolve));
    const batch: Batch = { files: [], bundleIndex: new Map(), bundles: [], storedBytes: 0, start, done: started.then(() => this.write(batch)) };
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
    const bundles = await Promise.all(batch.bundles);
    const files: SmallFile[] = batch.files.map(({ entry, absolutePath, bundle }) => ({
      path: absolutePath,
      manifestPath: entry.path,
      bundle,
      offset: entry.bundle!.offset,
      size: entry.size,
      attributes: { mode: entry.mode, uid: entry.uid, gid: entry.gid, mtimeNs: entry.mtimeNs },
    }));
    await this.options.writers.run({ op: 'small-files', files, bundles, replace: this.options.replace, restoreOwners: this.options.restoreOwners });
  }
}
