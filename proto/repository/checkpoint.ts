import { Type, type Static } from '@sinclair/typebox';
import { createVersionedCodec, versionDecoder } from './codec.js';

const ChunkIdHex = Type.String({ pattern: '^[0-9a-f]{64}$' });

/**
 * Backup progress handed to the caller (Temporal heartbeat details) and handed back to resume. It crosses
 * process and release boundaries, so it is versioned like every other repository message.
 */
export const BackupCheckpointV1 = Type.Object({
  version: Type.Literal(1),
  sessionId: Type.String(),
  startedAt: Type.String(),
  /** Path of the last entry whose data and manifest line are durable; null before the first entry. */
  cursor: Type.Union([Type.String(), Type.Null()]),
  /** Manifest chunks already cut and stored, and the uncut tail stored as one extra chunk. */
  manifestChunks: Type.Array(ChunkIdHex),
  manifestTail: Type.Union([ChunkIdHex, Type.Null()]),
  /** Packs this session has written and indexed (their keys are listed under the session's prefix). */
  packsWritten: Type.Integer({ minimum: 0 }),
  entries: Type.Integer({ minimum: 0 }),
  files: Type.Integer({ minimum: 0 }),
  bytes: Type.Integer({ minimum: 0 }),
  bytesRead: Type.Integer({ minimum: 0 }),
  filesRead: Type.Integer({ minimum: 0 }),
  newChunks: Type.Integer({ minimum: 0 }),
  newBytesStored: Type.Integer({ minimum: 0 }),
});

/**
 * V2 names the manifest chunks cut so far by one id instead of listing them: V1's list grew by 67 bytes
 * per ~64 KiB of manifest and passed Temporal's 2 MB payload limit near 6–7 million files. The ids are
 * stored in the repository as a chain of list chunks (ManifestListChunkV1), so a checkpoint's size no
 * longer depends on the tree's.
 */
export const BackupCheckpointV2 = Type.Object({
  ...Type.Omit(BackupCheckpointV1, ['manifestChunks']).properties,
  version: Type.Literal(2),
  /** The newest list chunk of the manifest's chunk ids; null while no manifest chunk has been cut. */
  manifestList: Type.Union([ChunkIdHex, Type.Null()]),
  /** How many manifest chunk ids the list holds, checked when it is read back. */
  manifestChunkCount: Type.Integer({ minimum: 0 }),
});

/**
 * The current shape. A V1 checkpoint (heartbeated by a mover from before V2, resumed by this one) keeps
 * its inline list in `manifestChunks`; V2 checkpoints never carry it.
 */
export type BackupCheckpoint = Static<typeof BackupCheckpointV2> & { manifestChunks?: string[] };

export function upgradeCheckpointV1({ manifestChunks, ...rest }: Static<typeof BackupCheckpointV1>): BackupCheckpoint {
  return { ...rest, version: 2, manifestList: null, manifestChunkCount: manifestChunks.length, manifestChunks };
}

export const backupCheckpointCodec = createVersionedCodec<BackupCheckpoint>('backup checkpoint', {
  1: versionDecoder(BackupCheckpointV1, upgradeCheckpointV1),
  2: versionDecoder(BackupCheckpointV2, (value) => value),
});

/**
 * One link of a checkpoint's manifest list, stored as a metadata chunk: up to a fixed number of manifest
 * chunk ids in order, and the id of the link before it (null for the first). Full links never change, so
 * a checkpoint stores only the newest, partial one again.
 */
export const ManifestListChunkV1 = Type.Object({
  kind: Type.Literal('haven-manifest-list'),
  version: Type.Literal(1),
  previous: Type.Union([ChunkIdHex, Type.Null()]),
  chunks: Type.Array(ChunkIdHex, { minItems: 1 }),
});
export type ManifestListChunk = Static<typeof ManifestListChunkV1>;

export const manifestListChunkCodec = createVersionedCodec<ManifestListChunk>('manifest list chunk', {
  1: versionDecoder(ManifestListChunkV1, (value) => value),
});
