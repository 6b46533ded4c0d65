import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { PreviewResourceTypeV1, PreviewUnprotectedVolumeV1, PreviewVolumeV1 } from '../../../../proto/agent/index.js';
import { Id, Timestamp } from '../../../../lib/domain/schema-kit.js';

export const DEFAULT_PREVIEW_NAMES_PER_TYPE = 100;
export const MAX_PREVIEW_NAMES_PER_TYPE = 1000;
/** Long enough to list a large cluster, short enough for a person waiting on a page. */
export const DEFAULT_PREVIEW_TIMEOUT_SECONDS = 60;
export const MAX_PREVIEW_TIMEOUT_SECONDS = 300;

export const BackupPreviewRequest = Type.Object(
  {
    maxNamesPerType: Type.Integer({
      minimum: 0,
      maximum: MAX_PREVIEW_NAMES_PER_TYPE,
      default: DEFAULT_PREVIEW_NAMES_PER_TYPE,
      description: 'Object names listed per resource type; counts are always complete and `truncated` says when names were cut.',
    }),
    timeoutSeconds: Type.Integer({
      minimum: 1,
      maximum: MAX_PREVIEW_TIMEOUT_SECONDS,
      default: DEFAULT_PREVIEW_TIMEOUT_SECONDS,
      description: 'How long to wait for the cluster\'s agent; past it the answer is 504.',
    }),
  },
  { additionalProperties: false, default: {} },
);
export type BackupPreviewRequest = Static<typeof BackupPreviewRequest>;

// The item shapes are the agent contract's (proto/agent/preview-backup.ts): one schema per concept.
export const BackupPreview = Type.Object({
  definitionId: Id,
  clusterId: Id,
  generatedAt: Timestamp,
  namespaces: Type.Array(Type.String(), { description: 'Namespaces with at least one selected object.' }),
  resourceCount: Type.Integer({ minimum: 0, description: 'Objects a run would export, resources of every type.' }),
  resourceTypes: Type.Array(PreviewResourceTypeV1, { description: 'Per type: count and (capped) names, sorted by type id.' }),
  volumes: Type.Array(PreviewVolumeV1, {
    description: 'Selected claims and how each would be protected: SNAPSHOT, PVC (read live), HOST (node volume directory) or SKIP, with the reason.',
  }),
  notBackedUp: Type.Array(PreviewUnprotectedVolumeV1, { description: 'hostPath and emptyDir volumes of selected pods: never in a backup.' }),
});
export type BackupPreview = Static<typeof BackupPreview>;
