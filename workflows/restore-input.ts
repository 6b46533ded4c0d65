import type { RestoreResourcesRequest, RestoreResourcesResult } from '../proto/agent/index.js';

/**
 * Everything a restore run needs, resolved by the API from the restore record before the start. Where
 * the data lives (storage target, snapshot id) is read from the recovery point by the run itself, and
 * secrets only inside encrypted activity payloads.
 */
export interface RestoreRunInput {
  orgId: string;
  jobId: string;
  restoreId: string;
  restoreName: string;
  recoveryPointId: string;
  targetClusterId: string;
  selection: RestoreResourcesRequest['selection'];
  transforms: RestoreResourcesRequest['transforms'];
  existingResources: RestoreResourcesRequest['existingResources'];
}

export type RestoreOutcome =
  | { status: 'COMPLETED' | 'PARTIAL'; counts: RestoreResourcesResult['counts']; volumes?: { namespace: string; claim: string; state: string }[] }
  | { status: 'SKIPPED'; reason: string };
