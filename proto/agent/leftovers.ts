import { Type, type Static } from '@sinclair/typebox';
import { versionDecoder, versionedCodec } from './codec.js';

/** A VolumeSnapshot a run created, by where it is. */
export const SnapshotRefV1 = Type.Object({
  namespace: Type.String(),
  snapshotName: Type.String(),
});
export type SnapshotRef = Static<typeof SnapshotRefV1>;

/** Control plane -> agent: which jobs have objects carrying Haven's labels in this cluster? */
export const ListLeftoversRequestV1 = Type.Object({
  version: Type.Literal(1),
});
export type ListLeftoversRequest = Static<typeof ListLeftoversRequestV1>;

/** What one job left: its labelled objects (`<kind> <namespace>/<name>`) and its VolumeSnapshots. */
export const JobLeftoversV1 = Type.Object({
  jobId: Type.String(),
  objects: Type.Array(Type.String()),
  snapshots: Type.Array(SnapshotRefV1),
});
export type JobLeftovers = Static<typeof JobLeftoversV1>;

/**
 * Agent -> control plane. The cluster is the tenant's, so every job id here is a claim to check, never a
 * fact: the control plane decides from its own records which of them belong to this cluster and ended.
 */
export const ListLeftoversResultV1 = Type.Object({
  version: Type.Literal(1),
  jobs: Type.Array(JobLeftoversV1),
});
export type ListLeftoversResult = Static<typeof ListLeftoversResultV1>;

/**
 * Control plane -> agent: delete what these ended jobs left (mover pods, temporary claims, credentials
 * Secrets, VolumeSnapshots with the data of any content Haven retained, restores' snapshot sources no
 * unbound claim waits for), except the snapshots in `keep`, which a live recovery point still holds.
 * Idempotent.
 */
export const SweepLeftoversRequestV1 = Type.Object({
  version: Type.Literal(1),
  jobIds: Type.Array(Type.String()),
  keep: Type.Array(SnapshotRefV1),
});
export type SweepLeftoversRequest = Static<typeof SweepLeftoversRequestV1>;

export const SweepLeftoversResultV1 = Type.Object({
  version: Type.Literal(1),
  /** `<kind> <namespace>/<name>` of each object deleted. */
  deleted: Type.Array(Type.String()),
});
export type SweepLeftoversResult = Static<typeof SweepLeftoversResultV1>;

export const listLeftoversRequestCodec = versionedCodec<ListLeftoversRequest>('list-leftovers request', {
  1: versionDecoder(ListLeftoversRequestV1, (value) => value),
});
export const listLeftoversResultCodec = versionedCodec<ListLeftoversResult>('list-leftovers result', {
  1: versionDecoder(ListLeftoversResultV1, (value) => value),
});
export const sweepLeftoversRequestCodec = versionedCodec<SweepLeftoversRequest>('sweep-leftovers request', {
  1: versionDecoder(SweepLeftoversRequestV1, (value) => value),
});
export const sweepLeftoversResultCodec = versionedCodec<SweepLeftoversResult>('sweep-leftovers result', {
  1: versionDecoder(SweepLeftoversResultV1, (value) => value),
});
