import { Type, type Static } from '@sinclair/typebox';
import { versionDecoder, versionedCodec } from './codec.js';
import { RepositoryAccessV1 } from './repository-access.js';
import { EmptiedClaimV1, RestoreCopyVolumeV1, RestoredClaimV1, RestoreSnapshotVolumeV1 } from './restore-volumes.js';

/** At most this many per-object outcomes travel back; the counts always cover every object. */
export const MAX_REPORTED_OUTCOMES = 1000;

/** Which objects of the recovery point to restore; empty lists mean all (the restore API's own shape). */
export const RestoreSelectionV1 = Type.Object({
  namespaces: Type.Array(Type.String()),
  resourceTypes: Type.Array(Type.String()),
  /** The label selector as text, `a:b,c x:y`, as the restore record stores it. */
  labels: Type.String(),
});

export const RestoreTransformsV1 = Type.Object({
  namespacePrefix: Type.String(),
  namespaceSuffix: Type.String(),
  namespaceMapping: Type.Record(Type.String(), Type.String()),
  storageClassMapping: Type.Record(Type.String(), Type.String()),
  preserveNodePorts: Type.Boolean(),
});

/** Control plane -> agent of the target cluster: restore the objects of one resources snapshot. */
export const RestoreResourcesRequestV1 = Type.Object({
  version: Type.Literal(1),
  jobId: Type.String(),
  /** The target cluster (the agent receiving this). */
  clusterId: Type.String(),
  /** The datamover snapshot of RESOURCES_VOLUME that the recovery point recorded. */
  snapshotId: Type.String({ minLength: 1 }),
  repository: RepositoryAccessV1,
  selection: RestoreSelectionV1,
  transforms: RestoreTransformsV1,
  existingResources: Type.Union([Type.Literal('SKIP'), Type.Literal('UPDATE')]),
  /**
   * Claims to provision from these snapshots instead of binding to their backed-up PVs (which are then
   * not restored). Added after v1 shipped: an older agent ignores it and restores the PVs as they were.
   */
  snapshotVolumes: Type.Optional(Type.Array(RestoreSnapshotVolumeV1)),
  /** Claims to create empty (dynamic provisioning, no PV) for a data mover to fill from their copies. Added after v1. */
  copyVolumes: Type.Optional(Type.Array(RestoreCopyVolumeV1)),
});
export type RestoreResourcesRequestV1 = Static<typeof RestoreResourcesRequestV1>;

/** One object of the recovery point by type (`configmaps`, `deployments.apps`), namespace and name. */
export const SelectedResourceV2 = Type.Object({ type: Type.String(), namespace: Type.Optional(Type.String()), name: Type.String() });

/**
 * One claim of the recovery point restored, alone, into a new claim `targetNamespace`/`targetClaim` (its
 * class through the request's storageClassMapping, like any claim's).
 */
export const SelectedVolumeV2 = Type.Object({
  namespace: Type.String(),
  claim: Type.String(),
  targetNamespace: Type.String(),
  targetClaim: Type.String(),
});
export type SelectedVolume = Static<typeof SelectedVolumeV2>;

/**
 * V2 adds granular restores: single resources, or one claim into a new one. An agent that knew only v1
 * would restore everything the other fields select, so these travel as v2, which such an agent refuses;
 * requests without them are still sent as v1 (workflows/restore-claims.ts), which every agent reads.
 */
export const RestoreSelectionV2 = Type.Object({
  ...RestoreSelectionV1.properties,
  resources: Type.Array(SelectedResourceV2),
  volumes: Type.Array(SelectedVolumeV2),
});

export const RestoreResourcesRequestV2 = Type.Object({
  ...RestoreResourcesRequestV1.properties,
  version: Type.Literal(2),
  selection: RestoreSelectionV2,
});
export type RestoreResourcesRequest = Static<typeof RestoreResourcesRequestV2>;


const OutcomeKindV1 = Type.Union([Type.Literal('CREATED'), Type.Literal('UPDATED'), Type.Literal('SKIPPED'), Type.Literal('FAILED')]);

export const RestoredObjectV1 = Type.Object({
  typeId: Type.String(),
  kind: Type.String(),
  /** Source namespace, as the recovery point holds it. */
  namespace: Type.Optional(Type.String()),
  name: Type.String(),
  /** Where it went, when a transform renamed its namespace. */
  targetNamespace: Type.Optional(Type.String()),
  outcome: OutcomeKindV1,
  reason: Type.Optional(Type.String()),
});
export type RestoredObject = Static<typeof RestoredObjectV1>;

/** Agent -> control plane: what happened to every object. */
export const RestoreResourcesResultV1 = Type.Object({
  version: Type.Literal(1),
  /** PARTIAL when at least one object FAILED. */
  status: Type.Union([Type.Literal('COMPLETED'), Type.Literal('PARTIAL')]),
  counts: Type.Object({
    CREATED: Type.Integer({ minimum: 0 }),
    UPDATED: Type.Integer({ minimum: 0 }),
    SKIPPED: Type.Integer({ minimum: 0 }),
    FAILED: Type.Integer({ minimum: 0 }),
  }),
  /** FAILED ones first, then the rest; at most MAX_REPORTED_OUTCOMES. */
  outcomes: Type.Array(RestoredObjectV1),
  /** How many outcomes were left off to keep the message (and the workflow history) small. */
  outcomesOmitted: Type.Integer({ minimum: 0 }),
  /** The claims of `snapshotVolumes` it created with their snapshot as data source. */
  restoredClaims: Type.Optional(Type.Array(RestoredClaimV1)),
  /** The claims of `copyVolumes` it created, empty. */
  emptiedClaims: Type.Optional(Type.Array(EmptiedClaimV1)),
});
export type RestoreResourcesResult = Static<typeof RestoreResourcesResultV1>;

export const restoreResourcesRequestCodec = versionedCodec<RestoreResourcesRequest>('restore-resources request', {
  1: versionDecoder(RestoreResourcesRequestV1, (value) => ({ ...value, version: 2, selection: { ...value.selection, resources: [], volumes: [] } })),
  2: versionDecoder(RestoreResourcesRequestV2, (value) => value),
});

export const restoreResourcesResultCodec = versionedCodec<RestoreResourcesResult>('restore-resources result', {
  1: versionDecoder(RestoreResourcesResultV1, (value) => value),
});
