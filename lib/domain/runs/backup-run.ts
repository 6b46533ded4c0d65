import type { ExportResourcesRequest } from '../../../proto/agent/index.js';
import type { RecoveryPointType } from '../../common/enums.js';
import type { BackupPlan } from './backup-plan.js';

/**
 * Everything a backup run needs, resolved by the API before the start (definition options, retention,
 * destination), so the workflow never looks things up piecemeal. Only its hooks are read when the run
 * reaches them, so it runs them as they are then. Secrets are not in it: the worker
 * resolves them from the storage target id, inside encrypted activity payloads.
 */
export interface BackupRunInput {
  orgId: string;
  jobId: string;
  definitionId: string;
  definitionName: string;
  clusterId: string;
  storageTargetId: string;
  retention: { days: number; safeLock: boolean };
  /** SNAPSHOT when PVs stay as in-cluster snapshots, COPY when their data goes to storage. */
  recoveryPointType: RecoveryPointType;
  selection: ExportResourcesRequest['selection'];
  plan: BackupPlan;
}

export type BackupOutcome =
  | { status: 'COMPLETED' | 'PARTIAL'; recoveryPointId: string; resourceCount: number }
  | { status: 'SKIPPED'; reason: string };
