import { Type, type Static } from '@sinclair/typebox';
import { versionDecoder, versionedCodec } from './codec.js';
import { RepositoryAccessV1 } from './repository-access.js';

/** The repository volume holding a backup's Kubernetes objects (one JSON file per object). */
export const RESOURCES_VOLUME = 'cluster-resources';

const LabelSelectorV1 = Type.Object({
  /** All must hold; each matches any of its values: `a:b,c x:y` = (a in {b,c}) and (x = y). */
  requirements: Type.Array(Type.Object({ key: Type.String(), values: Type.Array(Type.String(), { minItems: 1 }) })),
});

export const ExportSelectionV1 = Type.Object({
  scope: Type.Union([Type.Literal('FULL_CLUSTER'), Type.Literal('SELECTED_NAMESPACES'), Type.Literal('FULL_CLUSTER_EXCEPT')]),
  namespaces: Type.Array(Type.String()),
  excludedNamespaces: Type.Array(Type.String()),
  resourceTypes: Type.Array(Type.String()),
  labels: LabelSelectorV1,
});

/** Control plane -> agent: export the selected objects into the storage target's repository. */
export const ExportResourcesRequestV1 = Type.Object({
  version: Type.Literal(1),
  jobId: Type.String(),
  clusterId: Type.String(),
  definitionId: Type.String(),
  selection: ExportSelectionV1,
  repository: RepositoryAccessV1,
});
export type ExportResourcesRequest = Static<typeof ExportResourcesRequestV1>;

/** Agent -> control plane: what was stored. */
export const ExportResourcesResultV1 = Type.Object({
  version: Type.Literal(1),
  /** The datamover snapshot of RESOURCES_VOLUME. */
  snapshotId: Type.String(),
  resourceCount: Type.Integer({ minimum: 0 }),
  /** Namespaces with at least one exported object, sorted. */
  namespaces: Type.Array(Type.String()),
  files: Type.Integer({ minimum: 0 }),
  bytes: Type.Integer({ minimum: 0 }),
  /** Bytes newly written to storage (the rest deduplicated against earlier runs). */
  bytesStored: Type.Integer({ minimum: 0 }),
});
export type ExportResourcesResult = Static<typeof ExportResourcesResultV1>;

export const exportResourcesRequestCodec = versionedCodec<ExportResourcesRequest>('export-resources request', {
  1: versionDecoder(ExportResourcesRequestV1, (value) => value),
});

export const exportResourcesResultCodec = versionedCodec<ExportResourcesResult>('export-resources result', {
  1: versionDecoder(ExportResourcesResultV1, (value) => value),
});
