import { Type, type Static } from '@sinclair/typebox';
import { createVersionedCodec, versionDecoder } from './codec.js';

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
  manifestChunks: Type.Array(Type.String({ pattern: '^[0-9a-f]{64}$' })),
  manifestTail: Type.Union([Type.String({ pattern: '^[0-9a-f]{64}$' }), Type.Null()]),
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
export type BackupCheckpoint = Static<typeof BackupCheckpointV1>;

export const backupCheckpointCodec = createVersionedCodec<BackupCheckpoint>('backup checkpoint', {
  1: versionDecoder(BackupCheckpointV1, (value) => value),
});
