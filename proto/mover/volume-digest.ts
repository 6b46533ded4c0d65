import { Type, type Static } from '@sinclair/typebox';
import { RepositoryAccessV1 } from '../agent/repository-access.js';
import { versionDecoder, versionedCodec } from './codec.js';

/** At most this many differing paths come back from one volume; the result counts them all. */
export const MAX_VOLUME_DIGEST_DIFFERENCES = 20;

/**
 * Control plane -> mover pod: read the restored volume the pod mounts (read-only) back, digest it, digest
 * the repository snapshot it was restored from without restoring it, and compare the two (a restore
 * drill's volume check, docs/drills.md). Carries repository access: encrypted payloads only.
 */
export const VolumeDigestRequestV1 = Type.Object({
  version: Type.Literal(1),
  jobId: Type.String({ minLength: 1 }),
  snapshotId: Type.String({ minLength: 1 }),
  repository: RepositoryAccessV1,
  /** The restored claim: echoed in the heartbeats, so the run's progress names it. */
  volume: Type.Object({ namespace: Type.String(), claim: Type.String() }),
  maxDifferences: Type.Integer({ minimum: 1, maximum: MAX_VOLUME_DIGEST_DIFFERENCES }),
});
export type VolumeDigestRequest = Static<typeof VolumeDigestRequestV1>;

const DigestSideV1 = Type.Object({
  /** Hex SHA-256 of the side's digest lines (lib/datamover/digest/entry-digest.ts). */
  digest: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  entries: Type.Integer({ minimum: 0 }),
  /** Bytes of content read and hashed. */
  bytes: Type.Integer({ minimum: 0 }),
});

export const VolumeDigestResultV1 = Type.Object({
  version: Type.Literal(1),
  /** The restored volume as read back from its mount. */
  volume: DigestSideV1,
  /** The recovery point's copy as read from the repository. */
  point: DigestSideV1,
  /** Both digests are equal. */
  matched: Type.Boolean(),
  /** Every path that differs; `differences` names the first of them in walk order. */
  differencesFound: Type.Integer({ minimum: 0 }),
  differences: Type.Array(Type.Object({ path: Type.String(), message: Type.String() })),
  /** False when the pod could not read extended attributes: neither side's were compared. */
  xattrsCompared: Type.Boolean(),
});
export type VolumeDigestResult = Static<typeof VolumeDigestResultV1>;

export const volumeDigestRequestCodec = versionedCodec<VolumeDigestRequest>('volume-digest request', { 1: versionDecoder(VolumeDigestRequestV1, (v) => v) });
export const volumeDigestResultCodec = versionedCodec<VolumeDigestResult>('volume-digest result', { 1: versionDecoder(VolumeDigestResultV1, (v) => v) });
