import { Type, type Static } from '@sinclair/typebox';
import { createVersionedCodec, versionDecoder } from './codec.js';

/**
 * Where chunks live. The same record is written twice: as the encrypted trailer of each pack (so a pack
 * describes itself and a crashed session's packs can be adopted on resume) and, grouped by session, as
 * index objects that movers load at start.
 */
export { CHUNK_FLAGS } from './chunk-flags.js';

/** [chunkIdHex, offsetInPack, storedLength, rawLength, flags] — a tuple keeps large indexes compact. */
export const PackedChunkV1 = Type.Tuple([
  Type.String({ pattern: '^[0-9a-f]{64}$' }),
  Type.Integer({ minimum: 0 }),
  Type.Integer({ minimum: 1 }),
  Type.Integer({ minimum: 0 }),
  Type.Integer({ minimum: 0 }),
]);
export type PackedChunk = Static<typeof PackedChunkV1>;

export const PackTrailerV1 = Type.Object({
  version: Type.Literal(1),
  chunks: Type.Array(PackedChunkV1),
});
export type PackTrailer = Static<typeof PackTrailerV1>;

export const IndexObjectV1 = Type.Object({
  version: Type.Literal(1),
  createdAt: Type.String(),
  sessionId: Type.String(),
  packs: Type.Array(Type.Object({ key: Type.String(), size: Type.Integer({ minimum: 0 }), chunks: Type.Array(PackedChunkV1) })),
});
export type IndexObject = Static<typeof IndexObjectV1>;

export const packTrailerCodec = createVersionedCodec<PackTrailer>('pack trailer', {
  1: versionDecoder(PackTrailerV1, (value) => value),
});

export const indexObjectCodec = createVersionedCodec<IndexObject>('index object', {
  1: versionDecoder(IndexObjectV1, (value) => value),
});
