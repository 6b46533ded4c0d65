import type { ManifestEntry } from '../../../proto/repository/index.js';
import { InvalidArgumentError } from '../errors.js';
import { openManifest } from '../manifest/manifest-reader.js';
import { isWithin, ROOT_PATH } from '../manifest/walk-order.js';
import { loadIndex } from '../repository/index-store.js';
import type { Repository } from '../repository/repository.js';
import { ChunkReader } from '../restore/chunk-reader.js';

/** Zeros handed out for a hole; a hole longer than this is yielded in pieces. */
const ZERO_PIECE = Buffer.alloc(1024 * 1024);

/** One page of a snapshot's tree: entries in walk order, and where the next page starts (absent on the last). */
export interface EntryPage {
  entries: ManifestEntry[];
  /** How many matching entries come before the next page: pass back as `skip`. */
  next?: number;
}

/**
 * Reads one repository snapshot without restoring it: its entries (a subtree, paged) and the bytes of
 * single files, each chunk verified as a restore verifies it. The manifest is streamed, never held whole;
 * a subtree is contiguous in walk order, so a listing stops once it has passed it.
 */
export class SnapshotBrowser {
  private constructor(
    private readonly manifestChunks: readonly string[],
    private readonly reader: ChunkReader,
    readonly volumeMode: 'filesystem' | 'block',
  ) {}

  static async open(repository: Repository, snapshotId: string): Promise<SnapshotBrowser> {
    const snapshot = await repository.readSnapshot(snapshotId);
    const { index } = await loadIndex(repository);
    const reader = new ChunkReader(repository, index);
    const { header, entries } = await openManifest(snapshot.manifest, (id) => reader.read(id));
    await entries.return(undefined);
    return new SnapshotBrowser(snapshot.manifest, reader, header.volumeMode);
  }

  /** Every entry at or below `prefix`, in walk order. */
  async *entries(prefix: string = ROOT_PATH): AsyncGenerator<ManifestEntry> {
    const { entries } = await openManifest(this.manifestChunks, (id) => this.reader.read(id));
    let inside = false;
    for await (const entry of entries) {
      if (isWithin(entry.path, prefix)) {
        inside = true;
        yield entry;
      } else if (inside) {
        await entries.return(undefined);
        return;
      }
    }
  }

  /** `limit` entries at or below `prefix` after the first `skip` of them. */
  async page(prefix: string, skip: number, limit: number): Promise<EntryPage> {
    const entries: ManifestEntry[] = [];
    let seen = 0;
    for await (const entry of this.entries(prefix)) {
      if (seen++ < skip) continue;
      if (entries.length === limit) return { entries, next: skip + limit };
      entries.push(entry);
    }
    return { entries };
  }

  /** The entry at exactly `path`, or undefined. */
  async entry(path: string): Promise<ManifestEntry | undefined> {
    for await (const entry of this.entries(path)) if (entry.path === path) return entry;
    return undefined;
  }

  /** A regular file's bytes in order, holes as zeros; anything else has no content. */
  async *content(entry: ManifestEntry): AsyncGenerator<Buffer> {
    if (entry.type !== 'file' && entry.type !== 'hardlink') return;
    if (entry.bundle) {
      const bundle = await this.reader.read(entry.bundle.id, entry.path);
      yield bundle.subarray(entry.bundle.offset, entry.bundle.offset + entry.size);
      return;
    }
    const holes = entry.holes ?? [];
    let position = 0;
    let hole = 0;
    const zeros = function* (): Generator<Buffer> {
      while (hole < holes.length && holes[hole]![0] === position) {
        const [, length] = holes[hole++]!;
        for (let left = length; left > 0; left -= ZERO_PIECE.length) yield ZERO_PIECE.subarray(0, Math.min(left, ZERO_PIECE.length));
        position += length;
      }
    };
    for (const id of entry.chunks ?? []) {
      yield* zeros();
      const chunk = await this.reader.read(id, entry.path);
      position += chunk.length;
      yield chunk;
    }
    yield* zeros();
  }

  /** A small file read whole (a resource's JSON): refused beyond `maxBytes`, so a forged size cannot exhaust memory. */
  async readFile(entry: ManifestEntry, maxBytes: number): Promise<Buffer> {
    if (entry.size > maxBytes) throw new InvalidArgumentError(`${entry.path} holds ${entry.size} bytes, more than the ${maxBytes} read whole`);
    const pieces: Buffer[] = [];
    let total = 0;
    for await (const piece of this.content(entry)) {
      total += piece.length;
      if (total > maxBytes) throw new InvalidArgumentError(`${entry.path} holds more than the ${maxBytes} bytes read whole`);
      pieces.push(piece);
    }
    return Buffer.concat(pieces);
  }
}
