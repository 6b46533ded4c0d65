import { Type, type Static } from '@sinclair/typebox';
import { RepositoryAccessV1 } from './repository-access.js';
import { versionDecoder, versionedCodec } from './codec.js';

/** A recovery point's namespace and the scratch namespace a drill restored it into. */
const NamespacePair = Type.Object({ source: Type.String({ minLength: 1 }), target: Type.String({ minLength: 1 }) });

/**
 * Control plane -> agent of a drill's target: wait for the restored workloads to become ready, then
 * compare every restored namespaced object with the recovery point's resource tree.
 */
export const DrillCheckRequestV1 = Type.Object({
  version: Type.Literal(1),
  jobId: Type.String(),
  repository: RepositoryAccessV1,
  resourcesSnapshotId: Type.String({ minLength: 1 }),
  namespaces: Type.Array(NamespacePair, { minItems: 1 }),
  readinessTimeoutSeconds: Type.Integer({ minimum: 1 }),
});
export type DrillCheckRequest = Static<typeof DrillCheckRequestV1>;

/**
 * One way a drill's copy differs from its recovery point. `kind` says what was compared: RESTORE (the
 * restore failed or left something out), RESOURCE (an object missing or not as backed up), VOLUME (a PV's
 * data), READINESS (a workload that never became ready). `subject` is `namespace/Kind/name`,
 * `namespace/claim`, or the failed step.
 */
export const DrillDifferenceV1 = Type.Object({
  kind: Type.Union([Type.Literal('RESTORE'), Type.Literal('RESOURCE'), Type.Literal('VOLUME'), Type.Literal('READINESS')]),
  subject: Type.String(),
  message: Type.String(),
});

export const DrillCheckResultV1 = Type.Object({
  version: Type.Literal(1),
  resourcesCompared: Type.Integer({ minimum: 0 }),
  workloadsReady: Type.Integer({ minimum: 0 }),
  differences: Type.Array(DrillDifferenceV1),
});
export type DrillCheckResult = Static<typeof DrillCheckResultV1>;

/** Control plane -> agent: delete the scratch namespaces this drill job created (labelled with it), nothing else. */
export const DrillCleanupRequestV1 = Type.Object({
  version: Type.Literal(1),
  jobId: Type.String(),
  namespaces: Type.Array(Type.String({ minLength: 1 })),
});
export type DrillCleanupRequest = Static<typeof DrillCleanupRequestV1>;

export const drillCheckRequestCodec = versionedCodec<DrillCheckRequest>('drill-check request', {
  1: versionDecoder(DrillCheckRequestV1, (value) => value),
});
export const drillCheckResultCodec = versionedCodec<DrillCheckResult>('drill-check result', {
  1: versionDecoder(DrillCheckResultV1, (value) => value),
});
export const drillCleanupRequestCodec = versionedCodec<DrillCleanupRequest>('drill-cleanup request', {
  1: versionDecoder(DrillCleanupRequestV1, (value) => value),
});
