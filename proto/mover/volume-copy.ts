import { Type, type Static } from '@sinclair/typebox';
import { BackupCheckpointV1, BackupCheckpointV2, upgradeCheckpointV1, type BackupCheckpoint } from '../repository/checkpoint.js';
import { RepositoryAccessV1 } from '../agent/repository-access.js';
import { versionDecoder, versionedCodec } from './codec.js';

/** How hard one mover may work: its share of the run's files, its bandwidth cap and its memory. */
export const MoverLimitsV1 = Type.Object({
  concurrentFiles: Type.Integer({ minimum: 1 }),
  /** Token bucket on the stream; absent is unlimited. */
  maxBytesPerSecond: Type.Optional(Type.Integer({ minimum: 1 })),
  memoryLimitMiB: Type.Integer({ minimum: 64 }),
});

/**
 * Control plane -> mover pod: back up the volume the pod mounts into the storage target's repository.
 * It carries repository access, so it travels only inside encrypted payloads.
 */
export const BackupVolumeRequestV1 = Type.Object({
  version: Type.Literal(1),
  jobId: Type.String({ minLength: 1 }),
  clusterId: Type.String(),
  definitionId: Type.String(),
  /** The source claim (not the temporary one): what the copy is of. */
  namespace: Type.String(),
  claim: Type.String(),
  volumeMode: Type.Union([Type.Literal('Filesystem'), Type.Literal('Block')]),
  repository: RepositoryAccessV1,
  /** The repository's name for this PV across runs (`<cluster>/<namespace>/<claim>`): the parent is its latest snapshot. */
  repositoryVolume: Type.String({ minLength: 1 }),
  limits: MoverLimitsV1,
});
export type BackupVolumeRequest = Static<typeof BackupVolumeRequestV1>;

export const BackupVolumeResultV1 = Type.Object({
  version: Type.Literal(1),
  /** The repository snapshot holding the copy: what a restore reads. */
  snapshotId: Type.String(),
  parentId: Type.Optional(Type.String()),
  files: Type.Integer({ minimum: 0 }),
  bytes: Type.Integer({ minimum: 0 }),
  /** Bytes newly written to storage (the rest was already there). */
  newBytesStored: Type.Integer({ minimum: 0 }),
  /** True when a retried attempt found the copy already finished. */
  resumed: Type.Boolean(),
});
export type BackupVolumeResult = Static<typeof BackupVolumeResultV1>;

/**
 * A copy's live figures as its mover measured them: for progress displays only (a resumed copy starts
 * from the checkpoint, never from these). Expected figures are absent when the mover cannot know them
 * yet (a first backup whose walk has not ended).
 */
export const CopyProgressV1 = Type.Object({
  bytesDone: Type.Integer({ minimum: 0 }),
  filesDone: Type.Integer({ minimum: 0 }),
  bytesExpected: Type.Optional(Type.Integer({ minimum: 0 })),
  filesExpected: Type.Optional(Type.Integer({ minimum: 0 })),
  /** Over the mover's recent samples; absent until two samples are far enough apart. */
  bytesPerSecond: Type.Optional(Type.Number({ minimum: 0 })),
  measuredAt: Type.String(),
});
export type CopyProgress = Static<typeof CopyProgressV1>;

/**
 * Heartbeat details of the copy: the last durable checkpoint, handed back to the next attempt so it
 * resumes instead of starting over. Versioned like every message that outlives its sender.
 */
export const CopyHeartbeatV1 = Type.Object({
  version: Type.Literal(1),
  checkpoint: Type.Optional(BackupCheckpointV1),
  /**
   * The claim being copied: with the checkpoint's figures, this is the copy's live progress, read from
   * the pending activity (a mover may not signal its workflow).
   */
  volume: Type.Optional(Type.Object({ namespace: Type.String(), claim: Type.String() })),
  /** Sampled at each heartbeat (restores heartbeat this message too, without a checkpoint). */
  progress: Type.Optional(CopyProgressV1),
});

/** V2 carries the constant-size checkpoint (BackupCheckpointV2); a V1 heartbeat's checkpoint is upgraded. */
export const CopyHeartbeatV2 = Type.Object({
  ...CopyHeartbeatV1.properties,
  version: Type.Literal(2),
  checkpoint: Type.Optional(BackupCheckpointV2),
});
export type CopyHeartbeat = Omit<Static<typeof CopyHeartbeatV2>, 'checkpoint'> & { checkpoint?: BackupCheckpoint };

/** Control plane -> mover pod: restore one repository snapshot into the volume the pod mounts, verifying every chunk. */
export const RestoreVolumeRequestV1 = Type.Object({
  version: Type.Literal(1),
  jobId: Type.String({ minLength: 1 }),
  snapshotId: Type.String({ minLength: 1 }),
  repository: RepositoryAccessV1,
  limits: MoverLimitsV1,
  /** The recovery point's claim being restored: echoed in the heartbeats, so the run's progress names it. */
  volume: Type.Optional(Type.Object({ namespace: Type.String(), claim: Type.String() })),
});

/** V2 adds `paths`: a granular restore brings back only some files of the copy. V1 requests mean the whole copy. */
export const RestoreVolumeRequestV2 = Type.Object({
  ...RestoreVolumeRequestV1.properties,
  version: Type.Literal(2),
  /** Relative to the volume's root: restore only these and what lies below them; empty restores everything. */
  paths: Type.Array(Type.String({ minLength: 1 })),
});
export type RestoreVolumeRequest = Static<typeof RestoreVolumeRequestV2>;

export const RestoreVolumeResultV1 = Type.Object({
  version: Type.Literal(1),
  entries: Type.Integer({ minimum: 0 }),
  files: Type.Integer({ minimum: 0 }),
  bytes: Type.Integer({ minimum: 0 }),
  /** Sockets and, when not root, device nodes: recreated by their owners, not restorable as data. */
  skipped: Type.Integer({ minimum: 0 }),
});
export type RestoreVolumeResult = Static<typeof RestoreVolumeResultV1>;

export const backupVolumeRequestCodec = versionedCodec<BackupVolumeRequest>('backup-volume request', { 1: versionDecoder(BackupVolumeRequestV1, (v) => v) });
export const backupVolumeResultCodec = versionedCodec<BackupVolumeResult>('backup-volume result', { 1: versionDecoder(BackupVolumeResultV1, (v) => v) });
export const copyHeartbeatCodec = versionedCodec<CopyHeartbeat>('copy heartbeat', {
  1: versionDecoder(CopyHeartbeatV1, ({ checkpoint, ...rest }) => ({ ...rest, version: 2, ...(checkpoint ? { checkpoint: upgradeCheckpointV1(checkpoint) } : {}) })),
  2: versionDecoder(CopyHeartbeatV2, (v) => v),
});
export const restoreVolumeRequestCodec = versionedCodec<RestoreVolumeRequest>('restore-volume request', {
  1: versionDecoder(RestoreVolumeRequestV1, (v) => ({ ...v, version: 2, paths: [] })),
  2: versionDecoder(RestoreVolumeRequestV2, (v) => v),
});
export const restoreVolumeResultCodec = versionedCodec<RestoreVolumeResult>('restore-volume result', { 1: versionDecoder(RestoreVolumeResultV1, (v) => v) });
