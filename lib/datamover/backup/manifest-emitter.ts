import type { ManifestEntry } from '../../../proto/repository/index.js';
import type { ManifestWriter } from '../manifest/manifest-writer.js';
import { copyContent } from './entry-from-stats.js';

/** A bundle is cut once it holds this much... */
const BUNDLE_TARGET_BYTES = 1024 * 1024;
/** ...or once this many entries wait behind its first file, which bounds what is held in memory. */
const MAX_HELD_ENTRIES = 4096;

/** An unchanged file's line from the parent manifest, carried into this one as is (see encodedContentFields). */
export interface CarriedLine {
  path: string;
  line: string;
}

/** One walked entry, ready for the manifest; `small` is a small file's content, for the open bundle. */
export type Emission = { entry: ManifestEntry; small?: Buffer } | { entry: CarriedLine; small?: undefined };

/**
 * Puts finished entries into the manifest in walk order and batches small files into bundle chunks.
 *
 * Entries after the first file of an open bundle are held back until the bundle is cut (they must follow
 * it in the manifest, and the bundled ones need its id). Cut points depend only on the entries since the
 * bundle opened, and checkpoints happen only while no bundle is open, so a run resumed from a checkpoint
 * forms exactly the bundles an uninterrupted run would.
 */
export class ManifestEmitter {
  private bundleParts: Buffer[] = [];
  private bundleBytes = 0;
  private held: (ManifestEntry | CarriedLine)[] = [];
  /** Content of hard-linked inodes already written, for their later names. Keyed by inode number. */
  readonly inodeContent = new Map<string, ManifestEntry>();
  cursor: string | null = null;
  entries = 0;

  constructor(
    private readonly writer: ManifestWriter,
    private readonly storeBundle: (bundle: Buffer) => Promise<Buffer>,
  ) {}

  /** True when a checkpoint may be taken: every entry received so far is in the manifest. */
  get idle(): boolean {
    return this.held.length === 0;
  }

  /** Synchronous unless a bundle or a manifest chunk had to be stored, like ManifestWriter.write. */
  emit(entry: ManifestEntry | CarriedLine): void | Promise<void> {
    if (this.held.length === 0) return this.write(entry);
    this.held.push(entry);
    if (this.held.length >= MAX_HELD_ENTRIES) return this.cutBundle();
  }

  /** A small file's bytes join the open bundle; its entry waits for the bundle's id. */
  async emitSmall(entry: ManifestEntry, content: Buffer): Promise<void> {
    entry.bundle = { id: '', offset: this.bundleBytes };
    this.bundleParts.push(content);
    this.bundleBytes += content.length;
    this.held.push(entry);
    if (this.bundleBytes >= BUNDLE_TARGET_BYTES || this.held.length >= MAX_HELD_ENTRIES) await this.cutBundle();
  }

  async finish(): Promise<void> {
    if (this.held.length > 0) await this.cutBundle();
  }

  private async cutBundle(): Promise<void> {
    const id = this.bundleParts.length > 0 ? (await this.storeBundle(Buffer.concat(this.bundleParts))).toString('hex') : '';
    const held = this.held;
    this.bundleParts = [];
    this.bundleBytes = 0;
    this.held = [];
    for (const entry of held) {
      if (!('line' in entry) && entry.bundle && entry.bundle.id === '') entry.bundle.id = id;
      await this.write(entry);
    }
  }

  private write(entry: ManifestEntry | CarriedLine): void | Promise<void> {
    let writing: void | Promise<void>;
    if ('line' in entry) {
      // Carried lines are never hard links: those always take the slow path (inode bookkeeping).
      writing = this.writer.writeEncoded(entry.line);
    } else {
      if (entry.type === 'file' && entry.nlink !== undefined && entry.ino !== undefined) this.inodeContent.set(entry.ino, entry);
      if (entry.type === 'hardlink' && entry.ino !== undefined) {
        const first = this.inodeContent.get(entry.ino);
        if (first) copyContent(first, entry);
      }
      writing = this.writer.write(entry);
    }
    if (writing) return writing.then(() => this.written(entry.path));
    this.written(entry.path);
  }

  private written(path: string): void {
    this.cursor = path;
    this.entries++;
  }
}
