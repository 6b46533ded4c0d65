import { readlink, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import {
  chunkIdsOfEncodedContent,
  encodedContentFields,
  MANIFEST_VERSION,
  type BackupCheckpoint,
  type ManifestEntry,
  type Snapshot,
  type VolumeMode,
} from '../../../proto/repository/index.js';
import { OrderedResults } from '../controls/ordered-results.js';
import { planResources } from '../controls/resource-plan.js';
import { Semaphore } from '../controls/semaphore.js';
import { TokenBucket } from '../controls/token-bucket.js';
import { SnapshotNotFoundError } from '../errors.js';
import { ManifestCursor, openManifest, openManifestLines, type ManifestLine } from '../manifest/manifest-reader.js';
import { ManifestWriter } from '../manifest/manifest-writer.js';
import { comparePaths, ROOT_PATH } from '../manifest/walk-order.js';
import type { ChunkIndex } from '../repository/chunk-index.js';
import { loadIndex, loadTombstonedPacks, nextIndexSequence, writeIndexObject } from '../repository/index-store.js';
import { newSessionId } from '../repository/layout.js';
import { PackWriter } from '../repository/pack-writer.js';
import type { Repository } from '../repository/repository.js';
import { SessionLockHandle } from '../repository/session-lock.js';
import { ChunkReader } from '../restore/chunk-reader.js';
import { ChunkStore, type ChunkSealer } from './chunk-store.js';
import { contentChunkIds, copyContent, entryFromStats, isUnchanged } from './entry-from-stats.js';
import { chunkFile, readSmallFile, streamFile, type ChunkedContent } from './file-chunker.js';
import { inlineSealer } from './inline-sealer.js';
import { WorkerSealer } from './worker-sealer.js';
import { manifestRunFetcher } from './manifest-chunk-runs.js';
import { ParentManifestChunks } from './parent-manifest-chunks.js';
import { ManifestEmitter, type CarriedLine } from './manifest-emitter.js';
import { adoptSessionPacks, scanPartialManifest } from './resume.js';
import type { WalkedItem } from './tree-walker.js';
import { startWalk, type WalkSource } from './walk-thread.js';
import { scanXattrs, type Xattrs } from '../xattrs/attr-tools.js';

export const DEFAULT_CHECKPOINT_EVERY_MS = 30_000;
export const DEFAULT_CHECKPOINT_EVERY_BYTES = 1024 * 1024 * 1024;

export interface BackupOptions {
  /** Directory to back up, or the device/image file in block mode. */
  source: string;
  volume: string;
  volumeMode?: VolumeMode;
  tags?: Record<string, string>;
  /** `auto` (default): the volume's latest snapshot; `none`: read everything; or a snapshot id. */
  parent?: string;
  concurrentFiles?: number;
  maxBytesPerSecondPerStream?: number;
  memoryLimitBytes?: number;
  checkpointEveryMs?: number;
  checkpointEveryBytes?: number;
  onCheckpoint?: (checkpoint: BackupCheckpoint) => void | Promise<void>;
  resumeFrom?: BackupCheckpoint;
  /**
   * Record extended attributes (default true). Needs getfattr (the `attr` package); without it none are
   * recorded. One recursive getfattr pass runs before the walk.
   */
  xattrs?: boolean;
  /** Threads that hash, compress and encrypt chunks; 0 seals inline (needed where workers cannot load TypeScript). */
  sealWorkers?: number;
  /** Walk the tree on a thread of its own (default false, for the same reason as sealWorkers); see walk-thread.ts. */
  walkThread?: boolean;
  clock?: () => Date;
}

export interface BackupResult {
  snapshot: Snapshot;
  /** True when the snapshot already existed: the run being resumed had finished. */
  alreadyComplete: boolean;
}

type Emission = { entry: ManifestEntry; small?: Buffer } | { entry: CarriedLine; small?: undefined };

/**
 * Backs up one volume into a snapshot; see lib/datamover/README.md for the flow. The repository may
 * still be opening (deriving its key takes about 0.1 s): the walk and the attribute scan need nothing
 * from it, so they start first.
 */
export async function runBackup(opening: Repository | Promise<Repository>, options: BackupOptions): Promise<BackupResult> {
  const filesystem = (options.volumeMode ?? 'filesystem') === 'filesystem';
  const walk = filesystem ? startWalk(options.source, options.resumeFrom?.cursor, options.walkThread ?? false) : undefined;
  const xattrScan = startXattrScan(options);
  try {
    return await backUp(await opening, options, { xattrScan, walk });
  } finally {
    await walk?.close();
  }
}

async function backUp(repository: Repository, options: BackupOptions, early: Omit<HeadStart, 'parent'>): Promise<BackupResult> {
  const clock = options.clock ?? (() => new Date());
  const resume = options.resumeFrom;
  const sessionId = resume?.sessionId ?? newSessionId(clock());
  if (resume) {
    const existing = await repository.readSnapshot(sessionId).catch((error: unknown) => {
      if (error instanceof SnapshotNotFoundError) return undefined;
      throw error;
    });
    if (existing) return { snapshot: existing, alreadyComplete: true };
  }
  // The parent's snapshot record is read while the lock is written: it names manifest chunks, but they are
  // looked up only in the index, which is loaded once the lock is in place (GC's guarantee rests on that).
  const started: HeadStart = { ...early, parent: findParent(repository, options) };
  started.parent.catch(() => undefined);
  const lock = await SessionLockHandle.acquire(repository, sessionId, 'backup', clock);
  try {
    const run = await BackupRun.prepare(repository, options, sessionId, clock, started);
    return { snapshot: await run.execute(), alreadyComplete: false };
  } finally {
    await lock.release();
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Work a run starts before taking its lock. */
interface HeadStart {
  parent: Promise<Snapshot | undefined>;
  xattrScan: Promise<Map<string, Xattrs> | undefined>;
  /** Filesystem mode only. */
  walk: WalkSource | undefined;
}

function startXattrScan(options: BackupOptions): Promise<Map<string, Xattrs> | undefined> {
  if (options.xattrs === false || (options.volumeMode ?? 'filesystem') !== 'filesystem') return Promise.resolve(undefined);
  const scan = scanXattrs(options.source);
  scan.catch(() => undefined);
  return scan;
}

/** The snapshot an incremental run compares against: `parent` option, see BackupOptions. */
async function findParent(repository: Repository, options: BackupOptions): Promise<Snapshot | undefined> {
  const choice = options.parent ?? 'auto';
  if (choice === 'none') return undefined;
  return choice === 'auto' ? repository.latestSnapshotOf(options.volume) : repository.readSnapshot(choice);
}

class BackupRun {
  private readonly counters = { files: 0, bytes: 0, filesRead: 0, bytesRead: 0 };
  private bytesSinceCheckpoint = 0;
  private lastCheckpointAt: number;
  private indexSequence = 0;
  private firstPathOfInode = new Map<string, string>();
  /**
   * Extended attributes by path, for the entries that have any; each is taken once its entry is walked.
   * The scan (a getfattr process) starts before the lock, the index and the parent manifest, and runs beside them.
   */
  private xattrScan: Promise<Map<string, Xattrs> | undefined> = Promise.resolve(undefined);
  private walk: WalkSource | undefined;
  private parentCursor: ManifestCursor<ManifestLine> | undefined;
  private parentChunks: ParentManifestChunks | undefined;
  /** The last chunk id found in the index: consecutive small files share their bundle's. */
  private lastKnownId = '';
  private parentId: string | undefined;
  private emitter!: ManifestEmitter;
  private writer!: ManifestWriter;
  private readonly plan;
  private readonly throttle: () => TokenBucket | undefined;
  private readonly startedAt: string;

  private constructor(
    private readonly repository: Repository,
    private readonly options: BackupOptions,
    private readonly sessionId: string,
    private readonly clock: () => Date,
    private readonly store: ChunkStore,
    private readonly packer: PackWriter,
    private readonly reader: ChunkReader,
    private readonly sealer: ChunkSealer,
    private readonly isKnown: (idHex: string) => boolean,
  ) {
    this.plan = planResources(options.memoryLimitBytes, options.concurrentFiles);
    this.lastCheckpointAt = clock().getTime();
    this.startedAt = options.resumeFrom?.startedAt ?? clock().toISOString();
    const rate = options.maxBytesPerSecondPerStream;
    this.throttle = () => (rate ? new TokenBucket(rate) : undefined);
  }

  static async prepare(
    repository: Repository,
    options: BackupOptions,
    sessionId: string,
    clock: () => Date,
    started: HeadStart,
  ): Promise<BackupRun> {
    const plan = planResources(options.memoryLimitBytes, options.concurrentFiles);
    const tombstoned = loadTombstonedPacks(repository);
    tombstoned.catch(() => undefined);
    const { index, packSizes } = await loadIndex(repository, tombstoned);
    const resume = options.resumeFrom;
    const adoption = resume ? await adoptSessionPacks(repository, index, sessionId, packSizes) : { nextSequence: 0, adopted: [] };
    const packer = new PackWriter(repository, index, sessionId, adoption.nextSequence, plan.uploadConcurrency);
    const level = repository.header.compression.level;
    const sealer = options.sealWorkers
      ? new WorkerSealer({
          keys: repository.keys,
          compressionLevel: level,
          chunking: { params: repository.header.dataChunking, gear: repository.dataChunker.gear },
          threads: options.sealWorkers,
        })
      : inlineSealer(repository.keys, level);
    const store = new ChunkStore(index, packer, sealer);
    const reader = new ChunkReader(repository, index);
    const run = new BackupRun(repository, options, sessionId, clock, store, packer, reader, sealer, (idHex) => index.has(Buffer.from(idHex, 'hex')));
    run.xattrScan = started.xattrScan;
    run.walk = started.walk;
    if (adoption.adopted.length > 0 || resume) run.indexSequence = await nextIndexSequence(repository, sessionId);
    if (adoption.adopted.length > 0) {
      await writeIndexObject(repository, sessionId, run.indexSequence++, adoption.adopted, clock());
    }
    await run.openParent(await started.parent, index);
    await run.openManifest();
    return run;
  }

  async execute(): Promise<Snapshot> {
    try {
      // Reported before anything is uploaded, so even a mover killed in its first second resumes under
      // the same session and adopts the packs it managed to write.
      if (!this.options.resumeFrom) await this.reportInitialCheckpoint();
      if ((this.options.volumeMode ?? 'filesystem') === 'block') await this.backupBlockVolume();
      else await this.backupTree();
      await this.emitter.finish();
      const manifest = await this.writer.finish();
      await this.persistPacks();
      const snapshot = this.snapshotRecord(manifest);
      await this.repository.writeSnapshot(snapshot);
      return snapshot;
    } finally {
      await this.sealer.close();
    }
  }

  private async openParent(parent: Snapshot | undefined, index: ChunkIndex): Promise<void> {
    if (!parent || parent.volumeMode !== (this.options.volumeMode ?? 'filesystem')) return;
    this.parentId = parent.id;
    this.parentChunks = new ParentManifestChunks(parent.manifest);
    const fetch = this.parentChunks.observing(manifestRunFetcher(this.reader, index, this.repository.keys, parent.manifest));
    const stream = await openManifestLines(parent.manifest, fetch);
    this.parentCursor = new ManifestCursor(stream.batches, comparePaths);
  }

  private async openManifest(): Promise<void> {
    const storeMetadata = (chunk: Buffer) => this.store.store(chunk, true);
    const resume = this.options.resumeFrom;
    if (!resume || (resume.cursor === null && resume.manifestChunks.length === 0 && resume.manifestTail === null)) {
      const header = { kind: 'haven-manifest', version: 1, volumeMode: this.options.volumeMode ?? 'filesystem' } as const;
      this.writer = ManifestWriter.start(this.repository.metadataChunker, storeMetadata, header, this.parentChunks);
      this.emitter = new ManifestEmitter(this.writer, storeMetadata);
      return;
    }
    const tail = resume.manifestTail ? await this.reader.read(resume.manifestTail) : Buffer.alloc(0);
    this.writer = await ManifestWriter.resume(this.repository.metadataChunker, storeMetadata, { chunks: resume.manifestChunks, tail });
    this.emitter = new ManifestEmitter(this.writer, storeMetadata);
    this.emitter.cursor = resume.cursor;
    this.emitter.entries = resume.entries;
    Object.assign(this.counters, { files: resume.files, bytes: resume.bytes, filesRead: resume.filesRead, bytesRead: resume.bytesRead });
    this.store.newChunks = resume.newChunks;
    this.store.newRawBytes = resume.newBytesStored;
    const partial = await openManifest(resume.manifestChunks, (id) => this.reader.read(id), tail);
    const maps = await scanPartialManifest(partial.entries, this.isKnown);
    this.firstPathOfInode = maps.firstPathOfInode;
    for (const [inode, entry] of maps.inodeContent) this.emitter.inodeContent.set(inode, entry);
  }

  private async backupBlockVolume(): Promise<void> {
    const info = await stat(this.options.source, { bigint: true });
    const entry = entryFromStats(ROOT_PATH, info);
    entry.type = 'file';
    this.setContent(entry, await this.chunkContent(this.options.source, true));
    this.counters.files++;
    this.counters.bytes += entry.size;
    await this.emitter.emit(entry);
  }

  /**
   * The walk runs ahead of the manifest by at most `windowEntries`; file reads run `concurrentFiles` at a
   * time; results reach the manifest strictly in walk order.
   *
   * One loop does both: it prepares the next entry, then emits whatever is ready at the head. An entry that
   * needs no I/O (a directory, an unchanged file) goes into the manifest without a promise at all: that is
   * nearly every entry of an unchanged re-run, where promise hops per entry cost more than the lstat.
   */
  private async backupTree(): Promise<void> {
    const files = new Semaphore(this.plan.concurrentFiles);
    const pending = new OrderedResults<Emission>();
    const xattrs = await this.xattrScan;
    try {
      for await (const batch of this.walk!.batches()) {
        for (const item of batch) {
          const emission = this.prepareEntry(item, files, xattrs);
          if (pending.length === 0 && !(emission instanceof Promise)) {
            const emitting = this.emitReady(emission);
            if (emitting) await emitting;
            continue;
          }
          pending.push(emission);
          await this.emitInOrder(pending, this.plan.windowEntries);
        }
        // Ready batches and synchronous entries never give I/O callbacks a turn: without this, the parent
        // manifest's reads (sockets, files) stalled until the cursor ran dry, and then every entry waited.
        await yieldToEventLoop();
      }
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

  /** Awaits only what has to be: see backupTree. */
  private emitReady({ entry, small }: Emission): void | Promise<void> {
    const emitting = small ? this.emitter.emitSmall(entry, small) : this.emitter.emit(entry);
    if (emitting) return emitting.then(() => this.checkpointIfDue());
    return this.checkpointIfDue();
  }

  private checkpointIfDue(): void | Promise<void> {
    if (this.emitter.idle && this.checkpointDue()) return this.checkpoint();
  }

  /** Synchronous for entries that need no I/O; see backupTree. */
  private prepareEntry(item: WalkedItem, files: Semaphore, scanned: Map<string, Xattrs> | undefined): Emission | Promise<Emission> {
    const entry = item.entry;
    // An empty map still hashes the key: most trees have no attributes at all.
    const xattrs = scanned?.size ? scanned.get(entry.path) : undefined;
    if (xattrs) {
      entry.xattrs = Object.fromEntries(Object.entries(xattrs).sort(([a], [b]) => (a < b ? -1 : 1)));
      scanned!.delete(entry.path);
    }
    if (entry.type === 'symlink') {
      return readlink(item.absolutePath).then((target) => {
        entry.target = target;
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
        return { entry };
      }
      this.firstPathOfInode.set(entry.ino, entry.path);
    }
    const lookup = this.parentCursor?.find(entry.path);
    if (lookup instanceof Promise) return lookup.then((previousLine) => this.compareWithParent(item, entry, previousLine, files));
    return this.compareWithParent(item, entry, lookup, files);
  }

  private compareWithParent(item: WalkedItem, entry: ManifestEntry, previousLine: ManifestLine | undefined, files: Semaphore): Emission | Promise<Emission> {
    const carried = previousLine && this.carriedLine(entry, previousLine);
    if (carried) return { entry: carried };
    const previous = previousLine?.entry();
    if (isUnchanged(entry, previous) && contentChunkIds(previous).every(this.isKnown)) {
      copyContent(previous, entry);
      return { entry };
    }
    if (entry.size === 0) return { entry };
    return files.acquire().then(() => this.readEntry(item, entry).finally(() => files.release()));
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

  private async readEntry(item: WalkedItem, entry: ManifestEntry): Promise<Emission> {
    this.counters.filesRead++;
    if (entry.size <= this.repository.header.smallFileMax) {
      const content = await readSmallFile(item.absolutePath, entry.size, this.throttle());
      if (content.length <= this.repository.header.smallFileMax) {
        this.countRead(content.length);
        entry.size = content.length;
        return content.length === 0 ? { entry } : { entry, small: content };
      }
    }
    this.setContent(entry, await this.chunkContent(item.absolutePath, item.sparse, entry.size));
    return { entry };
  }

  private setContent(entry: ManifestEntry, content: ChunkedContent): void {
    entry.size = content.size;
    if (content.chunks.length > 0) entry.chunks = content.chunks;
    if (content.holes.length > 0) entry.holes = content.holes;
  }

  /** `expectedSize` sizes the read buffer; omitted for devices, whose stat size is 0. */
  private async chunkContent(path: string, sparse: boolean, expectedSize?: number): Promise<ChunkedContent> {
    const stream = !sparse && expectedSize !== undefined ? this.sealer.openStream?.() : undefined;
    if (stream) {
      return streamFile(path, {
        stream,
        accept: (chunk, length) => this.store.accept(chunk, length),
        readSize: this.plan.readSize,
        throttle: this.throttle(),
        onBytes: (bytes) => this.countRead(bytes),
      }, expectedSize!);
    }
    return chunkFile(path, {
      chunker: this.repository.dataChunker,
      submit: (chunk) => this.store.submit(chunk),
      sparse,
      readSize: this.plan.readSize,
      throttle: this.throttle(),
      onBytes: (bytes) => this.countRead(bytes),
    }, expectedSize);
  }

  private countRead(bytes: number): void {
    this.counters.bytesRead += bytes;
    this.bytesSinceCheckpoint += bytes;
  }

  private checkpointDue(): boolean {
    const everyBytes = this.options.checkpointEveryBytes ?? DEFAULT_CHECKPOINT_EVERY_BYTES;
    const everyMs = this.options.checkpointEveryMs ?? DEFAULT_CHECKPOINT_EVERY_MS;
    return this.bytesSinceCheckpoint >= everyBytes || this.clock().getTime() - this.lastCheckpointAt >= everyMs;
  }

  /**
   * Makes everything up to the cursor durable, then reports it. Order matters: manifest tail chunk, then
   * packs, then the index naming them; only then may the caller rely on the checkpoint.
   */
  private async checkpoint(): Promise<void> {
    const progress = await this.writer.progress();
    const tail = progress.tail.length > 0 ? (await this.store.store(progress.tail, true)).toString('hex') : null;
    await this.persistPacks();
    this.bytesSinceCheckpoint = 0;
    this.lastCheckpointAt = this.clock().getTime();
    await this.options.onCheckpoint?.({
      version: 1,
      sessionId: this.sessionId,
      startedAt: this.startedAt,
      cursor: this.emitter.cursor,
      manifestChunks: progress.chunks,
      manifestTail: tail,
      packsWritten: this.packer.packsWritten + (this.options.resumeFrom?.packsWritten ?? 0),
      entries: this.emitter.entries,
      ...this.counters,
      newChunks: this.store.newChunks,
      newBytesStored: this.store.newRawBytes,
    });
  }

  private async reportInitialCheckpoint(): Promise<void> {
    await this.options.onCheckpoint?.({
      version: 1,
      sessionId: this.sessionId,
      startedAt: this.startedAt,
      cursor: null,
      manifestChunks: [],
      manifestTail: null,
      packsWritten: 0,
      entries: 0,
      files: 0,
      bytes: 0,
      bytesRead: 0,
      filesRead: 0,
      newChunks: 0,
      newBytesStored: 0,
    });
  }

  private async persistPacks(): Promise<void> {
    await this.store.drain();
    await this.packer.flush();
    const packs = this.packer.takeWrittenPacks();
    if (packs.length > 0) await writeIndexObject(this.repository, this.sessionId, this.indexSequence++, packs, this.clock());
  }

  private snapshotRecord(manifest: string[]): Snapshot {
    return {
      version: 1,
      id: this.sessionId,
      volume: this.options.volume,
      volumeMode: this.options.volumeMode ?? 'filesystem',
      hostname: hostname(),
      startedAt: this.startedAt,
      finishedAt: this.clock().toISOString(),
      ...(this.parentId ? { parentId: this.parentId } : {}),
      tags: this.options.tags ?? {},
      manifest,
      stats: {
        entries: this.emitter.entries,
        files: this.counters.files,
        bytes: this.counters.bytes,
        filesRead: this.counters.filesRead,
        bytesRead: this.counters.bytesRead,
        newChunks: this.store.newChunks,
        newBytesStored: this.store.newRawBytes,
        packsWritten: this.packer.packsWritten + (this.options.resumeFrom?.packsWritten ?? 0),
      },
    };
  }
}
