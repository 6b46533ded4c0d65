import { decodeManifestEntry, manifestHeaderCodec, type ManifestEntry, type ManifestHeader } from '../../../proto/repository/index.js';

/** Fetches and verifies one manifest chunk. */
export type FetchChunk = (idHex: string) => Promise<Buffer>;

const NEWLINE = 0x0a;

/** Yields the manifest's lines as buffers, fetching one chunk at a time. */
async function* manifestLines(chunkIds: readonly string[], fetch: FetchChunk, tail?: Buffer): AsyncGenerator<Buffer> {
  let carry: Buffer = Buffer.alloc(0);
  const pieces = async function* () {
    for (const id of chunkIds) yield await fetch(id);
    if (tail) yield tail;
  };
  for await (const piece of pieces()) {
    const data = carry.length === 0 ? piece : Buffer.concat([carry, piece]);
    let start = 0;
    for (let end = data.indexOf(NEWLINE, start); end >= 0; end = data.indexOf(NEWLINE, start)) {
      yield data.subarray(start, end);
      start = end + 1;
    }
    carry = Buffer.from(data.subarray(start));
  }
  if (carry.length > 0) yield carry;
}

export interface ManifestStream {
  header: ManifestHeader;
  entries: AsyncGenerator<ManifestEntry>;
}

/**
 * Opens a manifest for streaming. `tail` is the uncut remainder a checkpoint stored separately; it lets a
 * resumed backup read its own partial manifest.
 */
export async function openManifest(chunkIds: readonly string[], fetch: FetchChunk, tail?: Buffer): Promise<ManifestStream> {
  const lines = manifestLines(chunkIds, fetch, tail);
  const first = await lines.next();
  if (first.done) throw new Error('empty manifest');
  const header = manifestHeaderCodec.decodeJson(first.value.toString('utf8'));
  async function* entries(): AsyncGenerator<ManifestEntry> {
    for await (const line of lines) {
      if (line.length > 0) yield decodeManifestEntry(header.version, line.toString('utf8'));
    }
  }
  return { header, entries: entries() };
}

/**
 * Walks a previous manifest alongside the current tree walk: asking for paths in walk order, it returns
 * the entry with that path if the previous manifest had one, skipping everything before it.
 *
 * Calls may overlap (the backup asks for the next path while an earlier lookup still waits for a manifest
 * chunk); they are answered one after another in the order they were made, so an overlapping lookup can
 * never consume the entry an earlier one is looking for.
 */
export class ManifestCursor {
  private pending: ManifestEntry | undefined;
  private done = false;
  private previous: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly entries: AsyncIterator<ManifestEntry>,
    private readonly compare: (a: string, b: string) => number,
  ) {}

  find(path: string): Promise<ManifestEntry | undefined> {
    const found = this.previous.then(() => this.findNext(path));
    this.previous = found.catch(() => undefined);
    return found;
  }

  private async findNext(path: string): Promise<ManifestEntry | undefined> {
    while (!this.done) {
      if (!this.pending) {
        const next = await this.entries.next();
        if (next.done) {
          this.done = true;
          return undefined;
        }
        this.pending = next.value;
      }
      const order = this.compare(this.pending.path, path);
      if (order > 0) return undefined;
      const entry = this.pending;
      this.pending = undefined;
      if (order === 0) return entry;
    }
    return undefined;
  }
}
