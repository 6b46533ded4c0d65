import { readlink } from 'node:fs/promises';
import { chunkIdsOfEncodedContent, encodedContentFields, MANIFEST_VERSION, type ManifestEntry } from '../../../proto/repository/index.js';
import { OrderedResults } from '../controls/ordered-results.js';
import { Semaphore } from '../controls/semaphore.js';
import { fsPath, nameFromBytes } from '../manifest/file-names.js';
import type { ManifestCursor, ManifestLine } from '../manifest/manifest-reader.js';
import type { Xattrs } from '../xattrs/attr-tools.js';
import type { ContentReader } from './content-reader.js';
import { contentChunkIds, copyContent, isUnchanged } from './entry-from-stats.js';
import type { CarriedLine, Emission, ManifestEmitter } from './manifest-emitter.js';
import type { BackupCounters, CheckpointSchedule, LiveFigures } from './progress.js';
import type { WalkedItem } from './tree-walker.js';
import type { WalkSource } from './walk-thread.js';

/** What the tree's loop works with; BackupRun has opened all of it. */
interface TreeBackupParts {
  walk: WalkSource;
  /** Extended attributes by path, for the entries that have any (getfattr's scan, running since before the lock). */
  xattrScan: Promise<Map<string, Xattrs> | undefined>;
  emitter: ManifestEmitter;
  /** The parent manifest, when there is one to compare with. */
  parentCursor: ManifestCursor<ManifestLine> | undefined;
  /** Inode → first path seen, to recognise later names of the same file (seeded by a resumed run). */
  firstPathOfInode: Map<string, string>;
  isKnown: (idHex: string) => boolean;
  content: ContentReader;
  counters: BackupCounters;
  schedule: CheckpointSchedule;
  /** Makes everything emitted so far durable and reports it; called only while no bundle is open. */
  checkpoint: (ahead: WalkedAheadFigures) => Promise<void>;
  concurrentFiles: number;
  /** Walked entries that may wait for earlier ones to reach the manifest. */
  windowEntries: number;
  live: LiveFigures;
}

/**
 * Backs up a directory tree: decides for each walked entry whether the parent's line, the parent's content
 * or a fresh read applies, and puts the entries into the manifest strictly in walk order.
 *
 * The walk runs ahead of the manifest by at most `windowEntries`; file reads run `concurrentFiles` at a
 * time. One loop does both: it prepares the next entry, then emits whatever is ready at the head. An entry
 * that needs no I/O (a directory, an unchanged file) goes into the manifest without a promise at all: that
 * is nearly every entry of an unchanged re-run, where promise hops per entry cost more than the lstat.
 */
export class TreeBackup {
  private readonly walk: WalkSource;
  private readonly xattrScan: Promise<Map<string, Xattrs> | undefined>;
  private readonly emitter: ManifestEmitter;
  private readonly parentCursor: ManifestCursor<ManifestLine> | undefined;
  private readonly firstPathOfInode: Map<string, string>;
  private readonly isKnown: (idHex: string) => boolean;
  private readonly content: ContentReader;
  private readonly counters: BackupCounters;
  private readonly schedule: CheckpointSchedule;
  private readonly checkpoint: (ahead: WalkedAheadFigures) => Promise<void>;
  private readonly concurrentFiles: number;
  private readonly windowEntries: number;
  private readonly live: LiveFigures;
  private readonly ahead = new WalkedAhead();
  /** The last chunk id found in the index: consecutive small files share their bundle's. */
  private lastKnownId = '';

  constructor(parts: TreeBackupParts) {
    this.walk = parts.walk;
    this.xattrScan = parts.xattrScan;
    this.emitter = parts.emitter;
    this.parentCursor = parts.parentCursor;
    this.firstPathOfInode = parts.firstPathOfInode;
    this.isKnown = parts.isKnown;
    this.content = parts.content;
    this.counters = parts.counters;
    this.schedule = parts.schedule;
    this.checkpoint = parts.checkpoint;
    this.concurrentFiles = parts.concurrentFiles;
    this.windowEntries = parts.windowEntries;
    this.live = parts.live;
  }

  async run(): Promise<void> {
    const files = new Semaphore(this.concurrentFiles);
    const pending = new OrderedResults<Emission>();
    const xattrs = await this.xattrScan;
    try {
      for await (const batch of this.walk.batches()) {
        for (const item of batch) {
          const emission = this.prepareEntry(item, files, xattrs);
          if (pending.length === 0 && !(emission instanceof Promise)) {
            const emitting = this.emitReady(emission);
            if (emitting) await emitting;
            continue;
          }
          pending.push(emission);
          await this.emitInOrder(pending, this.windowEntries);
        }
        // Ready batches and synchronous entries never give I/O callbacks a turn: without this, the parent
        // manifest's reads (sockets, files) stalled until the cursor ran dry, and then every entry waited.
        await yieldToEventLoop();
      }
      this.live.walked = true;
      await this.emitInOrder(pending, 0);
    } catch (error) {
      // Reads still running must not reach a sealer that the caller is about to close.
      await pending.settleAll();
      throw error;
    }
  }

  /** Emits every prepared entry at the head of `pending`, waiting for the oldest only while more than `keep` remain. */
  private async emitInOrder(pending: OrderedResults<Emission>, keep: number): Promise<void> {
    while (pending.length > 0) {
      const ready = pending.takeReady();
      if (!ready && pending.length <= keep) return;
      const emitting = this.emitReady(ready ? ready.value : await pending.takeOldest());
      if (emitting) await emitting;
    }
  }

  /** Returns a promise only when there is something to wait for: see the class comment. */
  private emitReady({ entry, small }: Emission): void | Promise<void> {
    this.ahead.emitted();
    const emitting = small ? this.emitter.emitSmall(entry, small) : this.emitter.emit(entry);
    if (emitting) return emitting.then(() => this.checkpointIfDue());
    return this.checkpointIfDue();
  }

  private checkpointIfDue(): void | Promise<void> {
    if (this.emitter.idle && this.schedule.due) return this.checkpoint(this.ahead.figures());
  }

  /** Synchronous for entries that need no I/O: see the class comment. */
  private prepareEntry(item: WalkedItem, files: Semaphore, scanned: Map<string, Xattrs> | undefined): Emission | Promise<Emission> {
    const entry = item.entry;
    // An empty map still hashes the key: most trees have no attributes at all.
    const xattrs = scanned?.size ? scanned.get(entry.path) : undefined;
    if (xattrs) {
      entry.xattrs = Object.fromEntries(Object.entries(xattrs).sort(([a], [b]) => (a < b ? -1 : 1)));
      scanned!.delete(entry.path);
    }
    this.ahead.walked(entry.type === 'file' ? entry.size : undefined);
    if (entry.type === 'symlink') {
      // A target is bytes like a name, and is kept the same way: Node's own decoding would lose invalid ones.
      return readlink(fsPath(item.absolutePath), { encoding: 'buffer' }).then((target) => {
        entry.target = nameFromBytes(target);
        return { entry };
      });
    }
    if (entry.type !== 'file') return { entry };
    this.counters.files++;
    this.counters.bytes += entry.size;
    if (entry.nlink !== undefined && entry.ino !== undefined) {
      const first = this.firstPathOfInode.get(entry.ino);
      if (first !== undefined) {
        entry.type = 'hardlink';
        entry.linkTo = first;
        return this.reused({ entry }, entry.size);
      }
      this.firstPathOfInode.set(entry.ino, entry.path);
    }
    const lookup = this.parentCursor?.find(entry.path);
    if (lookup instanceof Promise) return lookup.then((previousLine) => this.compareWithParent(item, entry, previousLine, files));
    return this.compareWithParent(item, entry, lookup, files);
  }

  private compareWithParent(item: WalkedItem, entry: ManifestEntry, previousLine: ManifestLine | undefined, files: Semaphore): Emission | Promise<Emission> {
    const carried = previousLine && this.carriedLine(entry, previousLine);
    if (carried) return this.reused({ entry: carried }, entry.size);
    const previous = previousLine?.entry();
    if (isUnchanged(entry, previous) && contentChunkIds(previous).every(this.isKnown)) {
      copyContent(previous, entry);
      return this.reused({ entry }, entry.size);
    }
    if (entry.size === 0) return this.reused({ entry }, 0);
    return files.acquire().then(() => this.content.readFile(item, entry).finally(() => files.release()));
  }

  /** A file with nothing to read counts as done at once, whole. */
  private reused(emission: Emission, bytes: number): Emission {
    this.live.filesReused++;
    this.live.bytesReused += bytes;
    return emission;
  }

  /**
   * The parent's line for an unchanged file whose line this run would write byte for byte the same (same
   * metadata, content still indexed): carried over without decoding or encoding. Hard links are left to
   * the slow path, which keeps the inode bookkeeping.
   */
  private carriedLine(entry: ManifestEntry, previous: ManifestLine): CarriedLine | undefined {
    if (previous.headerVersion !== MANIFEST_VERSION || entry.nlink !== undefined) return undefined;
    const content = encodedContentFields(previous.line, entry);
    if (content === undefined) return undefined;
    for (const id of chunkIdsOfEncodedContent(content)) {
      if (id === this.lastKnownId) continue;
      if (!this.isKnown(id)) return undefined;
      this.lastKnownId = id;
    }
    return { path: entry.path, line: previous.line };
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Files and bytes the counters hold for entries walked but not yet in the manifest. */
export interface WalkedAheadFigures {
  files: number;
  bytes: number;
}

/**
 * The counters count a file when it is walked (progress shows the tree's size early), but the walk runs up
 * to a window ahead of the manifest. Entries reach the manifest in walk order, so a queue of their sizes
 * (undefined for what is not a file) tells what the counters hold beyond the cursor.
 */
class WalkedAhead {
  private sizes: (number | undefined)[] = [];
  private head = 0;
  private files = 0;
  private bytes = 0;

  walked(fileSize: number | undefined): void {
    this.sizes.push(fileSize);
    if (fileSize === undefined) return;
    this.files++;
    this.bytes += fileSize;
  }

  emitted(): void {
    const size = this.sizes[this.head++];
    if (this.head >= 4096 && this.head * 2 >= this.sizes.length) {
      this.sizes = this.sizes.slice(this.head);
      this.head = 0;
    }
    if (size === undefined) return;
    this.files--;
    this.bytes -= size;
  }

  figures(): WalkedAheadFigures {
    return { files: this.files, bytes: this.bytes };
  }
}
