import type { FetchChunk } from '../manifest/manifest-reader.js';
import type { ChunkIndex, ChunkLocation } from '../repository/chunk-index.js';
import { openVerifiedChunk, type OpeningKeys, type StoredChunk } from '../restore/chunk-opening.js';
import { MAX_RUN_BYTES, type ChunkReader, type ChunkRun } from '../restore/chunk-reader.js';

type FetchedRun = Awaited<ReturnType<ChunkReader['fetchRun']>>;

/**
 * Fetches a manifest's chunks for reading it front to back, with one ranged read per run of chunks stored
 * back to back in a pack (up to 4 MiB): a manifest is written between bundles, so its chunks come in runs,
 * and on S3 each read is a request. Every chunk is verified as ChunkReader.read verifies it. Calls must
 * follow `ids` in order (openManifestLines makes them so); a call out of order falls back to a plain read.
 */
export function manifestRunFetcher(reader: ChunkReader, index: ChunkIndex, keys: OpeningKeys, ids: readonly string[]): FetchChunk {
  const runs: ChunkRun[] = [];
  /** For each position in `ids`: its run, and its place in that run. */
  const runOf: number[] = [];
  const placeInRun: number[] = [];
  let previous: ChunkLocation | undefined;
  for (const idHex of ids) {
    const location = index.lookup(Buffer.from(idHex, 'hex'));
    const last = runs.at(-1);
    if (
      last && location && previous && location.packKey === previous.packKey &&
      location.offset === previous.offset + previous.storedLength && last.storedBytes + location.storedLength <= MAX_RUN_BYTES
    ) {
      last.ids.push(idHex);
      last.rawLengths.push(location.rawLength);
      last.storedBytes += location.storedLength;
    } else {
      runs.push({ ids: [idHex], rawLengths: [location?.rawLength ?? 0], storedBytes: location?.storedLength ?? 0 });
    }
    runOf.push(runs.length - 1);
    placeInRun.push(runs.at(-1)!.ids.length - 1);
    previous = location;
  }
  const reading = new Map<number, Promise<FetchedRun>>();
  let position = 0;
  return async (idHex) => {
    const at = position++;
    if (ids[at] !== idHex) return reader.read(idHex);
    const run = runOf[at]!;
    let fetched = reading.get(run);
    if (!fetched) {
      fetched = reader.fetchRun(runs[run]!);
      fetched.catch(() => undefined);
      reading.set(run, fetched);
    }
    const place = placeInRun[at]!;
    // The run's bytes are dropped once its last chunk is handed out.
    if (place === runs[run]!.ids.length - 1) reading.delete(run);
    const { stored, chunks } = await fetched;
    const chunk: StoredChunk & { storedStart: number; storedLength: number } = chunks[place]!;
    return openVerifiedChunk(keys, chunk, stored.subarray(chunk.storedStart, chunk.storedStart + chunk.storedLength), undefined);
  };
}
