import { compress, decompress } from 'zstd-napi';
import { UnsupportedVersionError } from '../../../proto/repository/index.js';
import { open, seal } from '../crypto/envelope.js';
import { CorruptObjectError, UnsupportedObjectVersionError } from '../errors.js';

/**
 * Repository objects other than chunks (indexes, snapshots, tombstones, pack trailers) are JSON, zstd'd and
 * sealed with the data key. The object key is the AAD, so an object renamed or copied elsewhere in the
 * bucket fails to open instead of being trusted in its new role.
 */
export function sealObject(dataKey: Buffer, objectKey: string, value: unknown): Buffer {
  return seal(dataKey, compress(Buffer.from(JSON.stringify(value)), { compressionLevel: 3 }), Buffer.from(`haven:${objectKey}`));
}

export function openObject<T>(dataKey: Buffer, objectKey: string, bytes: Uint8Array, decode: (text: string) => T): T {
  const plaintext = open(dataKey, bytes, Buffer.from(`haven:${objectKey}`));
  if (!plaintext) throw new CorruptObjectError(objectKey, 'authentication failed (altered, truncated or from another repository)');
  let text: string;
  try {
    text = decompress(plaintext).toString('utf8');
  } catch (error) {
    throw new CorruptObjectError(objectKey, `decompression failed: ${(error as Error).message}`);
  }
  try {
    return decode(text);
  } catch (error) {
    if (error instanceof UnsupportedVersionError) throw new UnsupportedObjectVersionError(objectKey, error.message);
    throw new CorruptObjectError(objectKey, (error as Error).message);
  }
}
