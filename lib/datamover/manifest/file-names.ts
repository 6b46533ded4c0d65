/**
 * File names are bytes, and Linux lets them be any bytes but `/` and NUL; a backup must keep every one.
 * Paths stay strings everywhere (manifest JSON, walk order, messages between threads), so names that are
 * not UTF-8 are spelled as Python's "surrogateescape" (PEP 383) spells them: each byte that is not part of
 * a valid UTF-8 sequence becomes the lone low surrogate U+DC00 + byte (U+DC80..U+DCFF). Valid UTF-8 never
 * decodes to a lone surrogate, so no real name is spelled the same way and the bytes come back exactly.
 * JSON.stringify writes a lone surrogate as `\udcXX` and JSON.parse reads it back, so manifests carry such
 * names without a format change.
 *
 * Node decodes names lossily (invalid bytes → U+FFFD) and encodes strings as UTF-8, so a path holding an
 * escape must reach the filesystem as the bytes it stands for: pass every path built from walked or
 * manifest names through `fsPath`.
 */

/** A code unit of an escaped byte, lone or not; a surrogate pair may hold one too, which only costs the slow path. */
const ESCAPE = /[\udc80-\udcff]/;
const SURROGATE = /[\ud800-\udfff]/;
const REPLACEMENT = '\ufffd';

/** The name of these bytes: their UTF-8 text, with each byte that is not valid UTF-8 escaped. */
export function nameFromBytes(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  // A name may hold U+FFFD itself: only the re-encoding tells it from a replaced byte.
  if (!text.includes(REPLACEMENT) || Buffer.from(text).equals(bytes)) return text;
  let name = '';
  let validFrom = 0;
  for (let at = 0; at < bytes.length; ) {
    const length = validSequenceLength(bytes, at);
    if (length > 0) {
      at += length;
      continue;
    }
    if (validFrom < at) name += bytes.toString('utf8', validFrom, at);
    name += String.fromCharCode(0xdc00 + bytes[at]!);
    validFrom = ++at;
  }
  if (validFrom < bytes.length) name += bytes.toString('utf8', validFrom);
  return name;
}

/**
 * The length of the well-formed UTF-8 sequence at `at` (RFC 3629: no overlongs, no encoded surrogates,
 * nothing above U+10FFFF), or 0 when its first byte starts none. Only that byte is escaped then: the bytes
 * after a broken lead are continuation bytes, which start nothing valid either, so each gets its own escape.
 */
function validSequenceLength(bytes: Buffer, at: number): number {
  const lead = bytes[at]!;
  if (lead < 0x80) return 1;
  let length: number;
  let low = 0x80;
  let high = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) length = 2;
  else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead === 0xe0) low = 0xa0;
    else if (lead === 0xed) high = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead === 0xf0) low = 0x90;
    else if (lead === 0xf4) high = 0x8f;
  } else return 0;
  if (at + length > bytes.length) return 0;
  const second = bytes[at + 1]!;
  if (second < low || second > high) return 0;
  for (let i = 2; i < length; i++) {
    const next = bytes[at + i]!;
    if (next < 0x80 || next > 0xbf) return 0;
  }
  return length;
}

/** The bytes a name stands for: nameFromBytes's inverse. */
export function bytesOfName(name: string): Buffer {
  if (!ESCAPE.test(name)) return Buffer.from(name);
  const pieces: Buffer[] = [];
  let textFrom = 0;
  for (let at = 0; at < name.length; at++) {
    const code = name.charCodeAt(at);
    if (code < 0xdc80 || code > 0xdcff) continue;
    const before = at > 0 ? name.charCodeAt(at - 1) : 0;
    // The second half of a surrogate pair is part of a real character.
    if (before >= 0xd800 && before <= 0xdbff) continue;
    if (textFrom < at) pieces.push(Buffer.from(name.slice(textFrom, at)));
    pieces.push(Buffer.of(code - 0xdc00));
    textFrom = at + 1;
  }
  if (textFrom < name.length) pieces.push(Buffer.from(name.slice(textFrom)));
  return Buffer.concat(pieces);
}

/**
 * A path as Node's fs must be given it: the string itself unless it holds an escape. Called for every
 * file, so the common case is one precompiled regular-expression test (several times cheaper than a
 * charCodeAt loop on V8's one-byte strings) and no allocation.
 */
export function fsPath(path: string): string | Buffer {
  return ESCAPE.test(path) ? bytesOfName(path) : path;
}

/** Whether the path holds escaped bytes, for callers that decide once per directory. */
export function hasEscapes(path: string): boolean {
  return ESCAPE.test(path);
}

/**
 * Whether `name` is the one spelling of its bytes, as nameFromBytes gives it. A forged manifest could
 * escape bytes that are valid UTF-8 (`\udcc3\udca9` for `é`) or hold other lone surrogates (written as
 * U+FFFD's bytes): two different paths for one file, which would get past checks that compare paths.
 */
export function isCanonicalName(name: string): boolean {
  return !SURROGATE.test(name) || nameFromBytes(bytesOfName(name)) === name;
}
