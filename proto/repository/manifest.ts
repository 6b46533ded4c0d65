import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { createVersionedCodec, SchemaDecodeError, UnsupportedVersionError, versionDecoder } from './codec.js';

/**
 * A per-volume snapshot manifest: a header line then one JSON line per tree entry, in walk order
 * (pre-order, children sorted by name). The stream is chunked and stored like file data, so unchanged
 * stretches of a manifest deduplicate between snapshots and no process needs the whole tree in memory.
 */
export const MANIFEST_VERSION = 1;

export const VOLUME_MODES = [
  /** A mounted filesystem: a tree of entries. */
  'filesystem',
  /** A raw block device: exactly one `file` entry, restored in place. */
  'block',
] as const;
export type VolumeMode = (typeof VOLUME_MODES)[number];

export const ENTRY_TYPES = [
  'dir',
  'file',
  'symlink',
  /** A further name of a file seen earlier in walk order (`linkTo`); carries the content too. */
  'hardlink',
  'fifo',
  'socket',
  'chardev',
  'blockdev',
] as const;
export type EntryType = (typeof ENTRY_TYPES)[number];

const ChunkId = Type.String({ pattern: '^[0-9a-f]{64}$' });
const Base64 = Type.String({ pattern: '^[A-Za-z0-9+/]*={0,2}$' });

export const ManifestHeaderV1 = Type.Object({
  kind: Type.Literal('haven-manifest'),
  version: Type.Literal(1),
  volumeMode: Type.Union(VOLUME_MODES.map((mode) => Type.Literal(mode))),
});
export type ManifestHeader = Static<typeof ManifestHeaderV1>;

export const ManifestEntryV1 = Type.Object({
  /**
   * Relative to the volume root, `/`-separated, no leading slash; the root itself is `.`. Bytes of a name
   * that are not valid UTF-8 are each the lone surrogate U+DC00 + byte (`\udcXX` in the JSON), as
   * lib/datamover/manifest/file-names.ts spells them.
   */
  path: Type.String({ minLength: 1 }),
  type: Type.Union(ENTRY_TYPES.map((type) => Type.Literal(type))),
  /** Permission and special bits (st_mode & 0o7777). */
  mode: Type.Integer({ minimum: 0 }),
  uid: Type.Integer({ minimum: 0 }),
  gid: Type.Integer({ minimum: 0 }),
  /** Nanoseconds since the epoch as a decimal string: doubles cannot hold them. */
  mtimeNs: Type.String({ pattern: '^-?[0-9]+$' }),
  size: Type.Integer({ minimum: 0 }),
  /** Inode number (decimal string); with size and mtime it decides whether a file is re-read next time. */
  ino: Type.Optional(Type.String({ pattern: '^[0-9]+$' })),
  nlink: Type.Optional(Type.Integer({ minimum: 0 })),
  /** Symlink target, as stored (may be relative or dangling); its bytes spelled as the path's are. */
  target: Type.Optional(Type.String()),
  /** For `hardlink`: the path of the first name of the same inode. */
  linkTo: Type.Optional(Type.String()),
  /** Device number for chardev/blockdev entries. */
  rdev: Type.Optional(Type.Integer({ minimum: 0 })),
  /** Content chunks in file order, holes excluded. */
  chunks: Type.Optional(Type.Array(ChunkId)),
  /** A small file's bytes sit in a shared bundle chunk at this offset (length = size). */
  bundle: Type.Optional(Type.Object({ id: ChunkId, offset: Type.Integer({ minimum: 0 }) })),
  /** Sparse regions as [offset, length]; the chunks hold every other byte. */
  holes: Type.Optional(Type.Array(Type.Tuple([Type.Integer({ minimum: 0 }), Type.Integer({ minimum: 1 })]))),
  /** Extended attributes, value base64. */
  xattrs: Type.Optional(Type.Record(Type.String(), Base64)),
});
export type ManifestEntry = Static<typeof ManifestEntryV1>;

export const manifestHeaderCodec = createVersionedCodec<ManifestHeader>('manifest header', {
  1: versionDecoder(ManifestHeaderV1, (value) => value),
});

const entryDecoders: Record<number, (value: unknown) => ManifestEntry> = {
  1: (() => {
    let compiled: ReturnType<typeof TypeCompiler.Compile<typeof ManifestEntryV1>> | undefined;
    return (value: unknown) => {
      compiled ??= TypeCompiler.Compile(ManifestEntryV1);
      if (!compiled.Check(value)) {
        const error = compiled.Errors(value).First();
        throw new SchemaDecodeError('manifest entry', `${error?.path ?? ''} ${error?.message ?? 'invalid'}`);
      }
      return value;
    };
  })(),
};

/** Entries carry no version of their own: the manifest header's version governs the whole stream. */
export function decodeManifestEntry(headerVersion: number, line: string): ManifestEntry {
  const decode = entryDecoders[headerVersion];
  if (!decode) throw new UnsupportedVersionError('manifest entry', headerVersion);
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new SchemaDecodeError('manifest entry', 'not JSON');
  }
  return decode(parsed);
}

/** Field order is fixed so that the same tree always serialises to the same bytes (and chunks). */
export function encodeManifestEntry(entry: ManifestEntry): string {
  const ordered: Record<string, unknown> = {
    path: entry.path,
    type: entry.type,
    mode: entry.mode,
    uid: entry.uid,
    gid: entry.gid,
    mtimeNs: entry.mtimeNs,
    size: entry.size,
  };
  for (const key of ['ino', 'nlink', 'target', 'linkTo', 'rdev', 'chunks', 'bundle', 'holes', 'xattrs'] as const) {
    if (entry[key] !== undefined) ordered[key] = entry[key];
  }
  return JSON.stringify(ordered);
}

/** Whether JSON.stringify escapes any character of `value`: quote, backslash, control, lone surrogate (any surrogate counts). */
function needsEscaping(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x22 || code === 0x5c || (code >= 0xd800 && code <= 0xdfff)) return true;
  }
  return false;
}

/** A string value as JSON.stringify writes it, without calling it for the common plain string. */
function quoted(value: string): string {
  return needsEscaping(value) ? JSON.stringify(value) : `"${value}"`;
}

/**
 * encodeManifestEntry's text up to the content fields (path to rdev), concatenated directly because an
 * unchanged re-run builds it for every file. Integers are written as JSON.stringify writes them (String).
 */
function metadataFieldsText(entry: ManifestEntry): string {
  let text = `{"path":${quoted(entry.path)},"type":"${entry.type}","mode":${entry.mode},"uid":${entry.uid},"gid":${entry.gid},"mtimeNs":${quoted(entry.mtimeNs)},"size":${entry.size}`;
  if (entry.ino !== undefined) text += `,"ino":${quoted(entry.ino)}`;
  if (entry.nlink !== undefined) text += `,"nlink":${entry.nlink}`;
  if (entry.target !== undefined) text += `,"target":${quoted(entry.target)}`;
  if (entry.linkTo !== undefined) text += `,"linkTo":${quoted(entry.linkTo)}`;
  if (entry.rdev !== undefined) text += `,"rdev":${entry.rdev}`;
  return text;
}

/** The content fields as encodeManifestEntry writes them: chunks, bundle, holes, each optional, in that order. */
const NUMBER = '(?:0|[1-9][0-9]*)';
const ID = '"[0-9a-f]{64}"';
const HOLE = `\\[${NUMBER},[1-9][0-9]*\\]`;
const ENCODED_CONTENT_FIELDS_V1 = new RegExp(
  `^(?:,"chunks":\\[(?:${ID}(?:,${ID})*)?\\])?(?:,"bundle":\\{"id":${ID},"offset":${NUMBER}\\})?(?:,"holes":\\[(?:${HOLE}(?:,${HOLE})*)?\\])?$`,
);

/**
 * When `line` is exactly what encodeManifestEntry writes for `metadata` plus some content fields (chunks,
 * bundle, holes), returns those fields as encoded; otherwise undefined. A backup uses it to carry an
 * unchanged file's previous line over as is: same bytes as decoding it, copying its content into the fresh
 * entry and encoding that, without either step. The content text is checked against its schema's shape,
 * so a carried line is as valid as a decoded one.
 */
export function encodedContentFields(line: string, metadata: ManifestEntry): string | undefined {
  if (metadata.chunks !== undefined || metadata.bundle !== undefined || metadata.holes !== undefined) return undefined;
  const head = metadataFieldsText(metadata);
  const tail = metadata.xattrs === undefined ? '}' : `,"xattrs":${JSON.stringify(metadata.xattrs)}}`;
  const contentEnd = line.length - tail.length;
  // slice + === rather than startsWith/endsWith: about three times cheaper in V8 for these lengths.
  if (contentEnd < head.length || line.slice(0, head.length) !== head || line.slice(contentEnd) !== tail) return undefined;
  const content = line.slice(head.length, contentEnd);
  return ENCODED_CONTENT_FIELDS_V1.test(content) ? content : undefined;
}

/** The chunk ids named in encoded content fields (see encodedContentFields). */
export function chunkIdsOfEncodedContent(content: string): string[] {
  // Most carried lines are small files: one bundle id at a fixed place.
  if (content.slice(0, BUNDLE_ID_FIELD.length) === BUNDLE_ID_FIELD) return [content.slice(BUNDLE_ID_FIELD.length, BUNDLE_ID_FIELD.length + 64)];
  return content.match(/[0-9a-f]{64}/g) ?? [];
}

const BUNDLE_ID_FIELD = ',"bundle":{"id":"';

const PATH_FIELD = '{"path":"';

/**
 * An encoded entry's path without decoding the rest of its line: the common case (no character JSON
 * escapes) is sliced out; anything else is decoded in full.
 */
export function pathOfEncodedEntry(headerVersion: number, line: string): string {
  if (headerVersion === 1 && line.slice(0, PATH_FIELD.length) === PATH_FIELD) {
    const end = line.indexOf('"', PATH_FIELD.length);
    const path = line.slice(PATH_FIELD.length, end);
    if (end > PATH_FIELD.length && !path.includes('\\')) return path;
  }
  return decodeManifestEntry(headerVersion, line).path;
}
