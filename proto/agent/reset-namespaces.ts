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
  /** How long a namespace may take to finish terminating (its finalizers, its pods' grace periods). */
  timeoutSeconds: Type.Number({ minimum: 1 }),
});

/**
 * v2 makes the managed-by rule part of the contract. It is a new version, not a field added to v1: an
 * agent that knows only v1 refuses the request instead of ignoring the rule and deleting a namespace
 * Haven did not create.
 */
export const ResetNamespacesRequestV2 = Type.Object({
  ...ResetNamespacesRequestV1.properties,
  version: Type.Literal(2),
  /** False: a namespace Haven did not create (no managed-by label) fails the run before anything is deleted. */
  replaceUnmanagedNamespaces: Type.Boolean(),
});
export type ResetNamespacesRequest = Static<typeof ResetNamespacesRequestV2>;

export const ResetNamespacesResultV1 = Type.Object({
  version: Type.Literal(1),
  /** The namespaces that existed and were deleted before being created again. */
  deleted: Type.Array(Type.String()),
});
export type ResetNamespacesResult = Static<typeof ResetNamespacesResultV1>;

export const resetNamespacesRequestCodec = versionedCodec<ResetNamespacesRequest>('reset-namespaces request', {
  // A released control plane's request: the agent applies the rule, with no override.
  1: versionDecoder(ResetNamespacesRequestV1, (value): ResetNamespacesRequest => ({ ...value, version: 2, replaceUnmanagedNamespaces: false })),
  2: versionDecoder(ResetNamespacesRequestV2, (value) => value),
});
export const resetNamespacesResultCodec = versionedCodec<ResetNamespacesResult>('reset-namespaces result', {
  1: versionDecoder(ResetNamespacesResultV1, (value) => value),
});
