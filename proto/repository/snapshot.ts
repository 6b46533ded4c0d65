import { Type, type Static } from '@sinclair/typebox';
import { createVersionedCodec, versionDecoder } from './codec.js';
import { VOLUME_MODES } from './manifest.js';

/** One recovery point of one volume: what the manifest is made of, plus figures for the catalogue. */
export const SnapshotV1 = Type.Object({
  version: Type.Literal(1),
  id: Type.String(),
  /** The volume this snapshot belongs to (e.g. `<cluster>/<namespace>/<pvc>`); parents are looked up by it. */
  volume: Type.String({ minLength: 1 }),
  volumeMode: Type.Union(VOLUME_MODES.map((mode) => Type.Literal(mode))),
  hostname: Type.String(),
  startedAt: Type.String(),
  finishedAt: Type.String(),
  parentId: Type.Optional(Type.String()),
  tags: Type.Record(Type.String(), Type.String()),
  /** Chunk ids of the manifest stream, in order. */
  manifest: Type.Array(Type.String({ pattern: '^[0-9a-f]{64}$' })),
  stats: Type.Object({
    entries: Type.Integer({ minimum: 0 }),
    files: Type.Integer({ minimum: 0 }),
    bytes: Type.Integer({ minimum: 0 }),
    filesRead: Type.Integer({ minimum: 0 }),
    bytesRead: Type.Integer({ minimum: 0 }),
    newChunks: Type.Integer({ minimum: 0 }),
    newBytesStored: Type.Integer({ minimum: 0 }),
    packsWritten: Type.Integer({ minimum: 0 }),
  }),
});
export type Snapshot = Static<typeof SnapshotV1>;

export const snapshotCodec = createVersionedCodec<Snapshot>('snapshot', {
  1: versionDecoder(SnapshotV1, (value) => value),
});
