import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesOfName, isCanonicalName, nameFromBytes } from '../../lib/datamover/manifest/file-names.js';
import {
  chunkIdsOfEncodedContent,
  decodeManifestEntry,
  encodedContentFields,
  encodeManifestEntry,
  ENTRY_TYPES,
  MANIFEST_VERSION,
  pathOfEncodedEntry,
  type ManifestEntry,
} from '../../proto/repository/index.js';

/** Name bytes as Linux allows them: anything but `/` and NUL, so also bytes that are not UTF-8. */
const nameBytes = fc.uint8Array({ minLength: 1, maxLength: 24 }).map((bytes) => Buffer.from(bytes.map((b) => (b === 0 || b === 0x2f ? 0x61 : b))));
const name = fc.oneof(
  nameBytes.map(nameFromBytes),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }).filter((s) => !s.includes('/') && !s.includes('\0')),
  fc.constantFrom('"quoted"', 'back\\slash', 'line\nbreak', '\u2028', 'é', '\ufffd', 'constructor', '__proto__'),
);
const path = fc.oneof(fc.constant('.'), fc.array(name, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/')));
const chunkId = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'));
const decimal = fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String);
const xattrValue = fc.uint8Array({ maxLength: 16 }).map((b) => Buffer.from(b).toString('base64'));

const metadata = fc.record(
  {
    path,
    type: fc.constantFrom(...ENTRY_TYPES),
    mode: fc.integer({ min: 0, max: 0o7777 }),
    uid: fc.nat(),
    gid: fc.nat(),
    mtimeNs: decimal,
    size: fc.maxSafeNat(),
    ino: fc.bigInt({ min: 0n, max: 2n ** 64n }).map(String),
    nlink: fc.nat(),
    target: path,
    linkTo: path,
    rdev: fc.nat(),
    xattrs: fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('user.constructor', '__proto__', 'security.selinux')), xattrValue, { maxKeys: 3 }),
  },
  { requiredKeys: ['path', 'type', 'mode', 'uid', 'gid', 'mtimeNs', 'size'] },
);
const content = fc.record(
  {
    chunks: fc.array(chunkId, { maxLength: 4 }),
    bundle: fc.record({ id: chunkId, offset: fc.maxSafeNat() }),
    holes: fc.array(fc.tuple(fc.maxSafeNat(), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER })), { maxLength: 3 }),
  },
  { requiredKeys: [] },
);
const entry = fc.tuple(metadata, content).map(([m, c]) => ({ ...m, ...c }) as ManifestEntry);

describe('manifest codec, generated entries', () => {
  it('decodes what it encodes, and reads the path without decoding', () => {
    fc.assert(
      fc.property(entry, (e) => {
        const line = encodeManifestEntry(e);
        expect(line).not.toContain('\n');
        expect(decodeManifestEntry(MANIFEST_VERSION, line)).toEqual(e);
        expect(pathOfEncodedEntry(MANIFEST_VERSION, line)).toBe(e.path);
      }),
    );
  });

  it('encodes equal entries to equal bytes whatever order their fields were set in', () => {
    fc.assert(
      fc.property(entry, (e) => {
        const reversed = Object.fromEntries(Object.entries(e).reverse()) as ManifestEntry;
        expect(encodeManifestEntry(reversed)).toBe(encodeManifestEntry(e));
      }),
    );
  });

  it('carries a previous line content as is exactly when it is that metadata plus content', () => {
    fc.assert(
      fc.property(metadata, content, metadata, (m, c, other) => {
        const line = encodeManifestEntry({ ...m, ...c } as ManifestEntry);
        const carried = encodedContentFields(line, m as ManifestEntry);
        expect(carried).toBeDefined();
        // Carrying the content onto the same metadata gives back the very line.
        expect(line).toContain(carried!);
        const ids = [...(c.bundle ? [c.bundle.id] : []), ...(c.chunks ?? [])].sort();
        expect(chunkIdsOfEncodedContent(carried!).sort()).toEqual(ids);
        // Metadata that encodes differently never carries it.
        if (encodeManifestEntry(other as ManifestEntry) !== encodeManifestEntry(m as ManifestEntry)) {
          expect(encodedContentFields(line, other as ManifestEntry)).toBeUndefined();
        }
      }),
    );
  });

  it('spells every name bytes one way and gives the bytes back', () => {
    fc.assert(
      fc.property(nameBytes, (bytes) => {
        const spelled = nameFromBytes(bytes);
        expect(bytesOfName(spelled).equals(bytes)).toBe(true);
        expect(isCanonicalName(spelled)).toBe(true);
        expect(JSON.parse(JSON.stringify(spelled))).toBe(spelled);
      }),
    );
  });
});
