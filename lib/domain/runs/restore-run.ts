import type { RestoreResourcesRequestV1, RestoreResourcesRequest, RestoreResourcesResult } from '../../../proto/agent/index.js';
import type { ResourceRef, VolumeSelection } from '../definitions/granular-selection.js';
import type { HookPhase } from '../../common/enums.js';
import type { RestoreVolumeOptions } from '../definitions/options.js';

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
  /**
   * `resources` and `volumes` (granular restores) are absent in inputs of runs started before they
   * existed; a volume's targetNamespace is resolved at the start.
   */
  selection: RestoreResourcesRequestV1['selection'] & { resources?: ResourceRef[]; volumes?: (VolumeSelection & { targetNamespace: string })[] };
  transforms: RestoreResourcesRequest['transforms'];
  existingResources: RestoreResourcesRequest['existingResources'];
  persistentVolumes: RestoreVolumeOptions;
  /** Where the post-restore hooks are bound on `restoreId`: a replication's destination side has its own. */
  postRestoreHookPhase: HookPhase;
}

export type RestoreOutcome =
  | { status: 'COMPLETED' | 'PARTIAL'; counts: RestoreResourcesResult['counts']; volumes?: { namespace: string; claim: string; state: string }[] }
  | { status: 'SKIPPED'; reason: string };
