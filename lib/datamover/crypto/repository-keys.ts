import { randomBytes, scrypt as scryptCallback } from 'node:crypto';
import { promisify } from 'node:util';
import type { RepositoryHeader, RepositoryKeysRecord } from '../../../proto/repository/index.js';
import { repositoryKeysCodec } from '../../../proto/repository/index.js';
import { WrongRepositoryKeyError } from '../errors.js';
import { open, seal } from './envelope.js';

const scrypt = promisify(scryptCallback) as (
  secret: string | Buffer,
  salt: Buffer,
  length: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

/** scrypt cost for new repositories: ~100 ms and 32 MiB once per mover start; tests may lower it. */
export const DEFAULT_KDF_COST = 2 ** 15;

export interface RepositoryKeys {
  dataKey: Buffer;
  idKey: Buffer;
  chunkerKey: Buffer;
}

export function generateRepositoryKeys(): RepositoryKeys {
  return { dataKey: randomBytes(32), idKey: randomBytes(32), chunkerKey: randomBytes(32) };
}

/** The master key exists only in memory: derived from the storage target's secret each time. */
export async function deriveMasterKey(secret: string, kdf: RepositoryHeader['kdf']): Promise<Buffer> {
  return scrypt(secret, Buffer.from(kdf.salt, 'base64'), 32, {
    N: kdf.cost,
    r: kdf.blockSize,
    p: kdf.parallelization,
    maxmem: 256 * kdf.cost * kdf.blockSize + 8 * 1024 * 1024,
  });
}

/** Everything in the header except the wrapped keys is authenticated with them, so it cannot be altered. */
export function headerAad(header: Omit<RepositoryHeader, 'wrappedKeys'>): Buffer {
  const { format, version, repositoryId, createdAt, kdf, dataChunking, metadataChunking } = header;
  const { packTargetSize, compression, smallFileMax } = header;
  return Buffer.from(
    JSON.stringify({ format, version, repositoryId, createdAt, kdf, dataChunking, metadataChunking, packTargetSize, compression, smallFileMax }),
  );
}

export function wrapKeys(masterKey: Buffer, keys: RepositoryKeys, aad: Buffer): RepositoryHeader['wrappedKeys'] {
  const record: RepositoryKeysRecord = {
    version: 1,
    dataKey: keys.dataKey.toString('base64'),
    idKey: keys.idKey.toString('base64'),
    chunkerKey: keys.chunkerKey.toString('base64'),
  };
  const envelope = seal(masterKey, Buffer.from(JSON.stringify(record)), aad);
  return { algorithm: 'aes-256-gcm', nonce: envelope.subarray(0, 12).toString('base64'), sealed: envelope.subarray(12).toString('base64') };
}

export function unwrapKeys(masterKey: Buffer, wrapped: RepositoryHeader['wrappedKeys'], aad: Buffer): RepositoryKeys {
  const envelope = Buffer.concat([Buffer.from(wrapped.nonce, 'base64'), Buffer.from(wrapped.sealed, 'base64')]);
  const plaintext = open(masterKey, envelope, aad);
  if (!plaintext) throw new WrongRepositoryKeyError();
  const record = repositoryKeysCodec.decodeJson(plaintext.toString('utf8'));
  return {
    dataKey: Buffer.from(record.dataKey, 'base64'),
    idKey: Buffer.from(record.idKey, 'base64'),
    chunkerKey: Buffer.from(record.chunkerKey, 'base64'),
  };
}

