import { stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { Snapshot } from '../../../proto/repository/index.js';
import { planResources } from '../controls/resource-plan.js';
import { ManifestCursor, openManifest, openManifestLines, type ManifestLine } from '../manifest/manifest-reader.js';
import { ManifestListWriter, readManifestList } from '../manifest/manifest-list.js';
import { ManifestWriter } from '../manifest/manifest-writer.js';
import { comparePaths, ROOT_PATH } from '../manifest/walk-order.js';
import type { ChunkIndex } from '../repository/chunk-index.js';
import { loadIndex, loadTombstonedPacks, nextIndexSequence, writeIndexObjects } from '../repository/index-store.js';
import { sessionPacksPrefix } from '../repository/layout.js';
import { PackWriter } from '../repository/pack-writer.js';
import type { Repository } from '../repository/repository.js';
import type { SessionLockHandle } from '../repository/session-lock.js';
import { ChunkReader } from '../restore/chunk-reader.js';
import type { BackupOptions, HeadStart } from './backup-options.js';
import { ChunkStore, type ChunkSealer } from './chunk-store.js';
import { ContentReader } from './content-reader.js';
import { entryFromStats } from './entry-from-stats.js';
import { inlineSealer } from './inline-sealer.js';
import { manifestRunFetcher } from './manifest-chunk-runs.js';
import { ManifestEmitter } from './manifest-emitter.js';
import { ParentManifestChunks } from './parent-manifest-chunks.js';
import { CheckpointSchedule, LiveFigures, type BackupCounters } from './progress.js';
import { adoptSessionPacks, scanPartialManifest } from './resume.js';
import { assertPacksPresent, type PacksAtRisk } from './snapshot-packs.js';
import { TreeBackup, type WalkedAheadFigures } from './tree-backup.js';
import { WorkerSealer } from './worker-sealer.js';

/**
 * One backup under its session lock, from loading the index to writing the snapshot record: it wires the
 * pieces together (index, pack writer, sealer, parent manifest, manifest writer, fresh or resumed), lets
 * TreeBackup (or, in block mode, one device read) fill the manifest, and makes the work durable at
 * checkpoints and at the end.
 */
export class BackupRun {
  private readonly counters: BackupCounters = { files: 0, bytes: 0, filesRead: 0, bytesRead: 0 };
  private readonly schedule: CheckpointSchedule;
  private live!: LiveFigures;
  private indexSequence = 0;
  private firstPathOfInode = new Map<string, string>();
  private parentCursor: ManifestCursor<ManifestLine> | undefined;
  private parentChunks: ParentManifestChunks | undefined;
  private parentId: string | undefined;
  private emitter!: ManifestEmitter;
  private writer!: ManifestWriter;
  private manifestList!: ManifestListWriter;
  private readonly plan;
  private readonly content: ContentReader;
  private readonly startedAt: string;

  private constructor(
    private readonly repository: Repository,
    private readonly options: BackupOptions,
    private readonly sessionId: string,
    private readonly clock: () => Date,
    private readonly started: HeadStart,
    private readonly store: ChunkStore,
    private readonly packer: PackWriter,
    private readonly reader: ChunkReader,
    private readonly sealer: ChunkSealer,
    private readonly isKnown: (idHex: string) => boolean,
    private readonly lock: SessionLockHandle,
    /** Checked before the snapshot is recorded; this run's packs are added as they are indexed. */
    private readonly atRisk: PacksAtRisk & { sessionPacks: Set<string> },
  ) {
    this.plan = planResources(options.memoryLimitBytes, options.concurrentFiles);
    this.schedule = new CheckpointSchedule(clock, options.checkpointEveryBytes, options.checkpointEveryMs);
    this.startedAt = options.resumeFrom?.startedAt ?? clock().toISOString();
    this.content = new ContentReader(repository, store, sealer, this.plan.readSize, options.maxBytesPerSecondPerStream, this.counters, this.schedule, () => this.live.filesReadDone++);
  }

  static async prepare(repository: Repository, options: BackupOptions, sessionId: string, clock: () => Date, started: HeadStart, lock: SessionLockHandle): Promise<BackupRun> {
    const plan = planResources(options.memoryLimitBytes, options.concurrentFiles);
    const tombstoned = loadTombstonedPacks(repository);
    tombstoned.catch(() => undefined);
    const { index, packSizes } = await loadIndex(repository, tombstoned);
    const resume = options.resumeFrom;
    const adoption = resume ? await adoptSessionPacks(repository, index, sessionId, packSizes, await tombstoned) : { nextSequence: 0, adopted: [] };
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
    const isKnown = (idHex: string) => index.has(Buffer.from(idHex, 'hex'));
    const sessionPacks = new Set([...packSizes.keys()].filter((key) => key.startsWith(sessionPacksPrefix(sessionId))));
    for (const pack of adoption.adopted) sessionPacks.add(pack.key);
    const atRisk = { sessionId, sessionPacks, indexedPacks: packSizes, condemnedAtStart: await tombstoned };
    const run = new BackupRun(repository, options, sessionId, clock, started, store, packer, reader, sealer, isKnown, lock, atRisk);
    if (adoption.adopted.length > 0 || resume) run.indexSequence = await nextIndexSequence(repository, sessionId);
    if (adoption.adopted.length > 0) {
      run.indexSequence += (await writeIndexObjects(repository, sessionId, run.indexSequence, adoption.adopted, clock())).length;
    }
    const parent = await started.parent;
    await run.openParent(parent, index);
    run.live = new LiveFigures(run.counters, parent?.volumeMode === (options.volumeMode ?? 'filesystem') ? parent.stats : undefined);
    await run.openManifest();
    if (resume) run.live.resumeFrom(resume);
    options.observe?.(() => run.live.read());
    return run;
  }

  async execute(): Promise<Snapshot> {
    try {
      // Reported before anything is uploaded, so even a mover killed in its first second resumes under
      // the same session and adopts the packs it managed to write.
      if (!this.options.resumeFrom) await this.reportInitialCheckpoint();
      if ((this.options.volumeMode ?? 'filesystem') === 'block') await this.backupBlockVolume();
      else await this.treeBackup().run();
      await this.emitter.finish();
      const manifest = await this.writer.finish();
      await this.persistPacks();
      await assertPacksPresent(this.repository, this.atRisk);
      const snapshot = this.snapshotRecord(manifest);
      // Never a snapshot from a session GC may have taken for dead: it could name packs deleted meanwhile.
      this.lock.assertHeld();
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

  /** A fresh manifest, or the checkpoint's partial one with its counts and hard-link bookkeeping restored. */
  private async openManifest(): Promise<void> {
    const storeMetadata = (chunk: Buffer) => this.store.store(chunk, true);
    this.manifestList = new ManifestListWriter(storeMetadata, this.options.manifestListLinkIds);
    const resume = this.options.resumeFrom;
    if (!resume || (resume.cursor === null && resume.manifestChunkCount === 0 && resume.manifestTail === null)) {
      const header = { kind: 'haven-manifest', version: 1, volumeMode: this.options.volumeMode ?? 'filesystem' } as const;
      this.writer = ManifestWriter.start(this.repository.metadataChunker, storeMetadata, header, this.parentChunks);
      this.emitter = new ManifestEmitter(this.writer, storeMetadata);
      return;
    }
    const tail = resume.manifestTail ? await this.reader.read(resume.manifestTail) : Buffer.alloc(0);
    const chunks = resume.manifestChunks ?? (await readManifestList(resume, (id) => this.reader.read(id)));
    this.writer = await ManifestWriter.resume(this.repository.metadataChunker, storeMetadata, { chunks, tail });
    this.emitter = new ManifestEmitter(this.writer, storeMetadata);
    this.emitter.cursor = resume.cursor;
    this.emitter.entries = resume.entries;
    Object.assign(this.counters, { files: resume.files, bytes: resume.bytes, filesRead: resume.filesRead, bytesRead: resume.bytesRead });
    this.store.newChunks = resume.newChunks;
    this.store.newRawBytes = resume.newBytesStored;
    const partial = await openManifest(chunks, (id) => this.reader.read(id), tail);
    const maps = await scanPartialManifest(partial.entries, this.isKnown);
    this.firstPathOfInode = maps.firstPathOfInode;
    for (const [inode, entry] of maps.inodeContent) this.emitter.inodeContent.set(inode, entry);
  }

  private treeBackup(): TreeBackup {
    return new TreeBackup({
      walk: this.started.walk!,
      xattrScan: this.started.xattrScan,
      emitter: this.emitter,
      parentCursor: this.parentCursor,
      firstPathOfInode: this.firstPathOfInode,
      isKnown: this.isKnown,
      content: this.content,
      counters: this.counters,
      schedule: this.schedule,
      checkpoint: (ahead) => this.checkpoint(ahead),
      concurrentFiles: this.plan.concurrentFiles,
      windowEntries: this.plan.windowEntries,
      live: this.live,
    });
  }

  private async backupBlockVolume(): Promise<void> {
    const info = await stat(this.options.source, { bigint: true });
    const entry = entryFromStats(ROOT_PATH, info);
    entry.type = 'file';
    // A device's stat says 0: then only the previous copy's size tells what to expect.
    if (entry.size > 0) Object.assign(this.counters, { bytes: entry.size, files: 1 });
    this.live.walked = entry.size > 0;
    await this.content.readDevice(entry, this.options.source);
    Object.assign(this.counters, { bytes: entry.size, files: 1 });
    this.live.filesReadDone = 1;
    await this.emitter.emit(entry);
  }

  /**
   * Makes everything up to the cursor durable, then reports it. Order matters: manifest tail chunk, then
   * packs, then the index naming them; only then may the caller rely on the checkpoint.
   */
  private async checkpoint(ahead: WalkedAheadFigures): Promise<void> {
    await this.lock.refreshIfDue();
    this.lock.assertHeld();
    const progress = await this.writer.progress();
    const tail = progress.tail.length > 0 ? (await this.store.store(progress.tail, true)).toString('hex') : null;
    const list = await this.manifestList.record(progress.chunks);
    await this.persistPacks();
    // A checkpoint reported after the lock lapsed could be resumed from as if nothing had happened.
    this.lock.assertHeld();
    this.schedule.restart();
    await this.options.onCheckpoint?.({
      version: 2,
      sessionId: this.sessionId,
      startedAt: this.startedAt,
      cursor: this.emitter.cursor,
      ...list,
      manifestTail: tail,
      packsWritten: this.packsWritten(),
      entries: this.emitter.entries,
      ...this.counters,
      // Files walked past the cursor are walked and counted again by a run resumed from it.
      files: this.counters.files - ahead.files,
      bytes: this.counters.bytes - ahead.bytes,
      newChunks: this.store.newChunks,
      newBytesStored: this.store.newRawBytes,
    });
  }

  private async reportInitialCheckpoint(): Promise<void> {
    await this.options.onCheckpoint?.({
      version: 2,
      sessionId: this.sessionId,
      startedAt: this.startedAt,
      cursor: null,
      manifestList: null,
      manifestChunkCount: 0,
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
    for (const pack of packs) this.atRisk.sessionPacks.add(pack.key);
    if (packs.length > 0) this.indexSequence += (await writeIndexObjects(this.repository, this.sessionId, this.indexSequence, packs, this.clock())).length;
  }

  /** Across the runs of a resumed session. */
  private packsWritten(): number {
    return this.packer.packsWritten + (this.options.resumeFrom?.packsWritten ?? 0);
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
        packsWritten: this.packsWritten(),
      },
    };
  }
}
