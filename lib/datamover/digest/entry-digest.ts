import { createHash } from 'node:crypto';
import type { ManifestEntry } from '../../../proto/repository/index.js';

/**
 * The volume digest: what a restore drill compares between a restored claim and the recovery point's copy
 * in the repository. Both sides describe each entry as a ManifestEntry (the repository reads its manifest,
 * the volume side stats what it walks) plus the SHA-256 of its bytes, and this module alone turns that into
 * the digest's lines, so the two can only differ where the trees do.
 *
 * One line per entry, in walk order (manifest/walk-order.ts), a JSON array with fixed positions:
 * `[path, type, mode, uid, gid, size, target, linkTo, rdev, xattrs, content]`, absent values as null,
 * xattrs as `[name, base64]` pairs sorted by name, content the hex SHA-256 of a regular file's bytes
 * (holes read as zeros). The digest is the SHA-256 of `haven-volume-digest/1 <mode>\n` and every line
 * followed by `\n`.
 *
 * Left out, on purpose: times (a restore sets them, but the workloads a drill starts may touch them), inode
 * numbers and link counts (a new volume numbers its own), and sockets (they belong to a running process;
 * the restore does not recreate them). A hard link's later names carry `linkTo` instead of content: the
 * first name's content is digested once, and the link must lead to it.
 * Block volumes: one line `['.', 'file', 0, 0, 0, size, …, content]`, the device's first `size` bytes.
 */
export const VOLUME_DIGEST_VERSION = 1;

/** Entry types a digest leaves out (see above). */
const NOT_DIGESTED = new Set<ManifestEntry['type']>(['socket']);

export interface DigestOptions {
  volumeMode: 'filesystem' | 'block';
  /** False when one side cannot read extended attributes (no getfattr): both then leave them out. */
  xattrs: boolean;
}

/** One entry's line, parsed back only to explain a difference. */
type DigestLine = [string, string, number, number, number, number, string | null, string | null, number | null, [string, string][], string | null];

export function isDigested(entry: ManifestEntry): boolean {
  return !NOT_DIGESTED.has(entry.type);
}

/** Whether the entry's bytes are part of its line: regular files only, hard links through their first name. */
export function hasDigestedContent(entry: ManifestEntry, options: DigestOptions): boolean {
  return options.volumeMode === 'block' || entry.type === 'file';
}

/** The one function both sides use: an entry and its content's SHA-256 as the digest's line. */
export function digestLine(entry: ManifestEntry, contentSha256: string | undefined, options: DigestOptions): string {
  if (options.volumeMode === 'block') return JSON.stringify(['.', 'file', 0, 0, 0, entry.size, null, null, null, [], contentSha256 ?? null] satisfies DigestLine);
  const xattrs = options.xattrs ? Object.entries(entry.xattrs ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : [];
  const line: DigestLine = [
    entry.path,
    entry.type,
    entry.mode,
    entry.uid,
    entry.gid,
    entry.type === 'file' || entry.type === 'hardlink' ? entry.size : 0,
    entry.target ?? null,
    entry.linkTo ?? null,
    entry.rdev ?? null,
    xattrs,
    entry.type === 'file' ? (contentSha256 ?? null) : null,
  ];
  return JSON.stringify(line);
}

/** The SHA-256 of a stream of bytes, with how many there were. */
export async function hashContent(pieces: AsyncIterable<Buffer>, onBytes?: (count: number) => void): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const piece of pieces) {
    hash.update(piece);
    bytes += piece.length;
    onBytes?.(piece.length);
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** The running digest of one side's lines. */
export class TreeDigest {
  private readonly hash = createHash('sha256');

  constructor(options: DigestOptions) {
    this.hash.update(`haven-volume-digest/${VOLUME_DIGEST_VERSION} ${options.volumeMode}\n`);
  }

  add(line: string): void {
    this.hash.update(line);
    this.hash.update('\n');
  }

  hex(): string {
    return this.hash.digest('hex');
  }
}

const FIELDS = ['path', 'type', 'mode', 'uid', 'gid', 'size', 'symlink target', 'hard link to', 'device', 'extended attributes', 'content'] as const;

/** Says how the volume's line differs from the recovery point's, field by field (modes in octal). */
export function describeLineDifference(volumeLine: string, pointLine: string): string {
  const volume = JSON.parse(volumeLine) as DigestLine;
  const point = JSON.parse(pointLine) as DigestLine;
  const shown = (index: number, value: unknown) => (index === 2 && typeof value === 'number' ? `0${value.toString(8)}` : index === 10 || index === 9 ? undefined : JSON.stringify(value));
  const parts: string[] = [];
  FIELDS.forEach((field, index) => {
    if (JSON.stringify(volume[index]) === JSON.stringify(point[index])) return;
    const [mine, theirs] = [shown(index, volume[index]), shown(index, point[index])];
    parts.push(mine === undefined ? field : `${field} ${mine} where the recovery point has ${theirs}`);
  });
  return `differs in ${parts.join(', ')}`;
}
