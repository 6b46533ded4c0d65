import { Type, type Static } from '@sinclair/typebox';
import { createVersionedCodec, versionDecoder } from './codec.js';

/**
 * The one plaintext object of a repository (`config`). It says how to derive the master key from the
 * storage target's secret and carries the repository's own keys wrapped by that master key, so rotating the
 * target secret rewraps this object and never re-encrypts data.
 */
export const REPOSITORY_FORMAT = 'haven-repository';
export const REPOSITORY_HEADER_VERSION = 1;

const Base64 = Type.String({ pattern: '^[A-Za-z0-9+/]*={0,2}$' });

export const ChunkerParamsV1 = Type.Object({
  algorithm: Type.Literal('fastcdc-gear-2020'),
  minSize: Type.Integer({ minimum: 64 }),
  avgSize: Type.Integer({ minimum: 256 }),
  maxSize: Type.Integer({ minimum: 1024 }),
});
export type ChunkerParams = Static<typeof ChunkerParamsV1>;

export const RepositoryHeaderV1 = Type.Object({
  format: Type.Literal(REPOSITORY_FORMAT),
  version: Type.Literal(1),
  repositoryId: Type.String({ minLength: 8 }),
  createdAt: Type.String(),
  kdf: Type.Object({
    algorithm: Type.Literal('scrypt'),
    salt: Base64,
    cost: Type.Integer({ minimum: 2 }),
    blockSize: Type.Integer({ minimum: 1 }),
    parallelization: Type.Integer({ minimum: 1 }),
  }),
  /** AES-256-GCM of the JSON `RepositoryKeys`; the AAD is the canonical JSON of every other header field. */
  wrappedKeys: Type.Object({ algorithm: Type.Literal('aes-256-gcm'), nonce: Base64, sealed: Base64 }),
  dataChunking: ChunkerParamsV1,
  metadataChunking: ChunkerParamsV1,
  packTargetSize: Type.Integer({ minimum: 1024 }),
  compression: Type.Object({ algorithm: Type.Literal('zstd'), level: Type.Integer() }),
  /** Files up to this size are batched into shared bundle chunks instead of getting chunks of their own. */
  smallFileMax: Type.Integer({ minimum: 0 }),
});
export type RepositoryHeader = Static<typeof RepositoryHeaderV1>;

/** The secrets inside `wrappedKeys`. Never written anywhere in clear. */
export const RepositoryKeysV1 = Type.Object({
  version: Type.Literal(1),
  /** Encrypts chunks (through a per-chunk derived key) and repository objects. */
  dataKey: Base64,
  /** Keys the chunk-id HMAC, so ids reveal nothing about content to whoever reads the bucket. */
  idKey: Base64,
  /** Seeds the gear table, so chunk boundaries do not fingerprint known files either. */
  chunkerKey: Base64,
});
export type RepositoryKeysRecord = Static<typeof RepositoryKeysV1>;

export const repositoryHeaderCodec = createVersionedCodec<RepositoryHeader>('repository header', {
  1: versionDecoder(RepositoryHeaderV1, (value) => value),
});

export const repositoryKeysCodec = createVersionedCodec<RepositoryKeysRecord>('repository keys', {
  1: versionDecoder(RepositoryKeysV1, (value) => value),
});
