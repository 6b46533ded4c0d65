import { manifestListChunkCodec, type ManifestListChunk } from '../../../proto/repository/index.js';
import { SchemaDecodeError } from '../../../proto/repository/codec.js';
import { MissingChunkError, ResumeMismatchError } from '../errors.js';

/**
 * Manifest chunk ids per list chunk: about 68 KiB of JSON (compressed and sealed like any manifest chunk),
 * 64 MiB of manifest, roughly half a million files. A checkpoint rewrites at most one partial link.
 */
export const MANIFEST_LIST_LINK_IDS = 1024;

/** Stores one metadata chunk (deduplicated) and returns its id. */
type StoreChunk = (data: Buffer) => Promise<Buffer>;
/** Fetches and verifies one chunk. */
type ReadChunk = (idHex: string) => Promise<Buffer>;

/** Where a checkpoint's manifest chunk ids are: the newest link and how many ids the chain holds. */
export interface ManifestListPointer {
  manifestList: string | null;
  manifestChunkCount: number;
}

/**
 * Writes a growing list of manifest chunk ids into the repository as a chain of links, newest last, each
 * naming the one before it. A checkpoint then carries one id whatever the tree's size: the list itself
 * grew past Temporal's payload limit on trees of millions of files. Full links are written once; only the
 * last, partial link is written again at each checkpoint (up to MANIFEST_LIST_LINK_IDS ids).
 */
export class ManifestListWriter {
  /** Ids of the full links written so far, in order: one per MANIFEST_LIST_LINK_IDS manifest chunks. */
  private readonly fullLinks: string[] = [];

  constructor(
    private readonly store: StoreChunk,
    private readonly linkIds = MANIFEST_LIST_LINK_IDS,
  ) {}

  /** Stores what `chunks` (every manifest chunk id so far, in order) adds to the chain; returns its pointer. */
  async record(chunks: readonly string[]): Promise<ManifestListPointer> {
    while ((this.fullLinks.length + 1) * this.linkIds <= chunks.length) {
      const start = this.fullLinks.length * this.linkIds;
      this.fullLinks.push(await this.storeLink(chunks.slice(start, start + this.linkIds)));
    }
    const rest = chunks.slice(this.fullLinks.length * this.linkIds);
    const newest = rest.length > 0 ? await this.storeLink(rest) : (this.fullLinks.at(-1) ?? null);
    return { manifestList: newest, manifestChunkCount: chunks.length };
  }

  private async storeLink(chunks: string[]): Promise<string> {
    const link: ManifestListChunk = { kind: 'haven-manifest-list', version: 1, previous: this.fullLinks.at(-1) ?? null, chunks };
    return (await this.store(Buffer.from(JSON.stringify(link)))).toString('hex');
  }
}

/**
 * The manifest chunk ids a pointer names, in order. A link that cannot be read (condemned by GC while the
 * session was dead), or a chain of another length than the checkpoint says, means the checkpoint cannot
 * be continued: the caller starts a fresh backup.
 */
export async function readManifestList(pointer: ManifestListPointer, read: ReadChunk): Promise<string[]> {
  const links: string[][] = [];
  let total = 0;
  for (let id = pointer.manifestList; id !== null; ) {
    let link: ManifestListChunk;
    try {
      link = manifestListChunkCodec.decodeJson((await read(id)).toString('utf8'));
    } catch (error) {
      // Storage failures stay what they are (retryable); only a link that is gone or not a link ends the resume.
      if (!(error instanceof MissingChunkError || error instanceof SchemaDecodeError)) throw error;
      throw new ResumeMismatchError(`the checkpoint's manifest list (chunk ${id.slice(0, 16)}…) cannot be read: ${(error as Error).message}; start a new backup`);
    }
    links.push(link.chunks);
    total += link.chunks.length;
    if (total > pointer.manifestChunkCount) break;
    id = link.previous;
  }
  if (total !== pointer.manifestChunkCount) {
    throw new ResumeMismatchError(`the checkpoint names ${pointer.manifestChunkCount} manifest chunks but its list holds ${total}; start a new backup`);
  }
  return links.reverse().flat();
}
