import { StringDecoder } from 'node:string_decoder';
import { OrderedResults } from '../controls/ordered-results.js';
import {
  decodeManifestEntry,
  manifestHeaderCodec,
  pathOfEncodedEntry,
  type ManifestEntry,
  type ManifestHeader,
} from '../../../proto/repository/index.js';

/** Fetches and verifies one manifest chunk. */
export type FetchChunk = (idHex: string) => Promise<Buffer>;

/**
 * Manifest chunks fetched ahead of the one being read: on S3 a fetch is a round trip, and one at a time
 * they made most of an unchanged re-run's wall time; 8 still left the walk waiting on S3 (about half of the
 * benchmark's manifest chunks are stored alone, a request each). Chunks are at most 256 KiB: at most 8 MiB.
 */
export const MANIFEST_READ_AHEAD = 32;

/** The manifest's bytes in order, up to MANIFEST_READ_AHEAD chunk fetches in flight. */
async function* manifestPieces(chunkIds: readonly string[], fetch: FetchChunk, tail?: Buffer): AsyncGenerator<Buffer> {
  const inFlight: Promise<Buffer>[] = [];
  let next = 0;
  const refill = () => {
    while (inFlight.length < MANIFEST_READ_AHEAD && next < chunkIds.length) {
      const fetching = fetch(chunkIds[next++]!);
      // Awaited in order below; a failure ahead of the reader must not surface as an unhandled rejection.
      fetching.catch(() => undefined);
      inFlight.push(fetching);
    }
  };
  refill();
  while (inFlight.length > 0) {
    const piece = await inFlight.shift()!;
    refill();
    yield piece;
  }
  if (tail) yield tail;
}

/**
 * Yields the manifest's lines as strings, a chunk's worth at a time. Each piece is decoded once (a chunk
 * may end inside a UTF-8 character, which the decoder carries over) and lines are sliced out of it.
 */
async function* manifestLineBatches(chunkIds: readonly string[], fetch: FetchChunk, tail?: Buffer): AsyncGenerator<string[]> {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  for await (const piece of manifestPieces(chunkIds, fetch, tail)) {
    const text = carry + decoder.write(piece);
    const lines: string[] = [];
    let start = 0;
    for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      if (end > start) lines.push(text.slice(start, end));
      start = end + 1;
    }
    carry = text.slice(start);
    if (lines.length > 0) yield lines;
  }
  carry += decoder.end();
  if (carry.length > 0) yield [carry];
}

/** One entry line of a manifest, decoded only when asked: most of a parent manifest is only compared. */
export class ManifestLine {
  private decoded: ManifestEntry | undefined;

  constructor(
    readonly headerVersion: number,
    readonly line: string,
    readonly path: string,
  ) {}

  entry(): ManifestEntry {
    this.decoded ??= decodeManifestEntry(this.headerVersion, this.line);
    return this.decoded;
  }
}

interface ManifestStream {
  header: ManifestHeader;
  entries: AsyncGenerator<ManifestEntry>;
}

interface ManifestLineStream {
  header: ManifestHeader;
  /** Entry lines, a manifest chunk's worth per batch. */
  batches: AsyncGenerator<ManifestLine[]>;
}

/**
 * Opens a manifest for streaming its lines undecoded. `tail` is the uncut remainder a checkpoint stored
 * separately; it lets a resumed backup read its own partial manifest.
 */
export async function openManifestLines(chunkIds: readonly string[], fetch: FetchChunk, tail?: Buffer): Promise<ManifestLineStream> {
  const batches = manifestLineBatches(chunkIds, fetch, tail);
  const first = await batches.next();
  if (first.done) throw new Error('empty manifest');
  const [headerLine, ...firstEntries] = first.value;
  const header = manifestHeaderCodec.decodeJson(headerLine!);
  const toLines = (lines: string[]) => lines.map((line) => new ManifestLine(header.version, line, pathOfEncodedEntry(header.version, line)));
  async function* lineBatches(): AsyncGenerator<ManifestLine[]> {
    if (firstEntries.length > 0) yield toLines(firstEntries);
    for await (const lines of batches) yield toLines(lines);
  }
  return { header, batches: lineBatches() };
}

/** Opens a manifest for streaming its entries, each decoded and checked against the schema. */
export async function openManifest(chunkIds: readonly string[], fetch: FetchChunk, tail?: Buffer): Promise<ManifestStream> {
  const { header, batches } = await openManifestLines(chunkIds, fetch, tail);
  async function* entries(): AsyncGenerator<ManifestEntry> {
    for await (const lines of batches) for (const line of lines) yield decodeManifestEntry(header.version, line.line);
  }
  return { header, entries: entries() };
}

/** The buffered batch ran out before the lookup could be answered. */
const NEEDS_MORE = Symbol('needs more');

/**
 * Walks a previous manifest alongside the current tree walk: asking for paths in walk order, it returns
 * the entry with that path if the previous manifest had one, skipping everything before it.
 *
 * A lookup the buffered batches can answer, with no earlier lookup still waiting, is answered
 * synchronously: that is nearly every lookup, and a promise per entry was a visible share of an unchanged
 * re-run. The next batch is always being fetched while the current one is scanned, so crossing into it
 * rarely waits either. Otherwise calls may overlap (the backup asks for the next path while an earlier
 * lookup still waits for a manifest chunk); they are answered one after another in the order they were
 * made, so an overlapping lookup can never consume the entry an earlier one is looking for.
 */
export class ManifestCursor<Item extends { path: string } = ManifestEntry> {
  private batch: Item[] = [];
  private at = 0;
  private done = false;
  private waiting = 0;
  private previous: Promise<unknown> = Promise.resolve();
  /** The batch after the current one, fetched ahead: at most one. */
  private readonly ahead = new OrderedResults<IteratorResult<Item[]>>();

  constructor(
    private readonly batches: AsyncIterator<Item[]>,
    private readonly compare: (a: string, b: string) => number,
  ) {}

  find(path: string): Item | undefined | Promise<Item | undefined> {
    if (this.waiting === 0) {
      const answer = this.scan(path);
      if (answer !== NEEDS_MORE) return answer;
    }
    this.waiting++;
    const found = this.previous.then(() => this.findAfterLoading(path));
    const settled = found.finally(() => this.waiting--);
    this.previous = settled.catch(() => undefined);
    return settled;
  }

  private async findAfterLoading(path: string): Promise<Item | undefined> {
    for (;;) {
      const answer = this.scan(path);
      if (answer !== NEEDS_MORE) return answer;
      this.fetchAhead();
      this.adopt(await this.ahead.takeOldest());
    }
  }

  /** Consumes buffered items before `path`; returns its item, undefined if there is none, or NEEDS_MORE. */
  private scan(path: string): Item | undefined | typeof NEEDS_MORE {
    for (;;) {
      while (this.at < this.batch.length) {
        const item = this.batch[this.at]!;
        const order = this.compare(item.path, path);
        if (order > 0) return undefined;
        this.at++;
        if (order === 0) return item;
      }
      if (this.done) return undefined;
      this.fetchAhead();
      const arrived = this.ahead.takeReady();
      if (!arrived) return NEEDS_MORE;
      this.adopt(arrived.value);
    }
  }

  private fetchAhead(): void {
    if (!this.done && this.ahead.length === 0) this.ahead.push(this.batches.next());
  }

  private adopt(next: IteratorResult<Item[]>): void {
    if (next.done) this.done = true;
    else [this.batch, this.at] = [next.value, 0];
    this.fetchAhead();
  }
}
