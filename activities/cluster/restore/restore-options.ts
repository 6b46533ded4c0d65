import type { RestoreResourcesRequest } from '../../../proto/agent/index.js';

export type ExistingResourcePolicy = RestoreResourcesRequest['existingResources'];

/** The resource part of a restore request, as the versioned message carries it. */
export type ResourceRestoreOptions = Pick<RestoreResourcesRequest, 'selection' | 'transforms' | 'existingResources'>;

/** How long a restored CRD may take to become Established before its custom resources are failed. */
export const DEFAULT_CRD_ESTABLISHED_TIMEOUT_MS = 60_000;
/** Objects of one dependency rank applied at once: creation is latency-bound, and ranks stay ordered. */
export const DEFAULT_APPLY_CONCURRENCY = 32;
