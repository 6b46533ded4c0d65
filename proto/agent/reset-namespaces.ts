import { Type, type Static } from '@sinclair/typebox';
import { versionDecoder, versionedCodec } from './codec.js';

/**
 * Control plane -> agent of a replication's destination: delete these namespaces (everything in them
 * goes with them), wait until they are gone, then create them again, empty. Nothing outside them is
 * touched, which is why the definition must name them.
 */
export const ResetNamespacesRequestV1 = Type.Object({
  version: Type.Literal(1),
  /** The replication job: marks the namespaces it re-creates. */
  jobId: Type.String(),
  namespaces: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
  /**
   * Absent or false: a namespace Haven did not create (no managed-by label) fails the run before anything
   * is deleted. Added within v1 (optional): an older control plane's request means the safe default.
   */
  replaceUnmanagedNamespaces: Type.Optional(Type.Boolean()),
  /** How long a namespace may take to finish terminating (its finalizers, its pods' grace periods). */
  timeoutSeconds: Type.Number({ minimum: 1 }),
});
export type ResetNamespacesRequest = Static<typeof ResetNamespacesRequestV1>;

export const ResetNamespacesResultV1 = Type.Object({
  version: Type.Literal(1),
  /** The namespaces that existed and were deleted before being created again. */
  deleted: Type.Array(Type.String()),
});
export type ResetNamespacesResult = Static<typeof ResetNamespacesResultV1>;

export const resetNamespacesRequestCodec = versionedCodec<ResetNamespacesRequest>('reset-namespaces request', {
  1: versionDecoder(ResetNamespacesRequestV1, (value) => value),
});
export const resetNamespacesResultCodec = versionedCodec<ResetNamespacesResult>('reset-namespaces result', {
  1: versionDecoder(ResetNamespacesResultV1, (value) => value),
});
