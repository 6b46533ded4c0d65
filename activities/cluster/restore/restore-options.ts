import type { EXISTING_RESOURCE_POLICIES, RestoreSelection } from '../../../services/api/resources/restores/schema.js';
import type { Transforms } from '../../../services/api/resources/definitions/parts-schema.js';
import type { Static } from '@sinclair/typebox';

export type ExistingResourcePolicy = (typeof EXISTING_RESOURCE_POLICIES)[number];

/** The resource part of a resolved restore: the API's own types, as the restore record stores them. */
export interface ResourceRestoreOptions {
  selection: Static<typeof RestoreSelection>;
  transforms: Transforms;
  existingResources: ExistingResourcePolicy;
}

/** How long a restored CRD may take to become Established before its custom resources are failed. */
export const DEFAULT_CRD_ESTABLISHED_TIMEOUT_MS = 60_000;
/** Objects of one dependency rank applied at once: creation is latency-bound, and ranks stay ordered. */
export const DEFAULT_APPLY_CONCURRENCY = 8;
