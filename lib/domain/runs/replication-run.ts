import type { RestoreVolumeOptions } from '../definitions/options.js';
import type { BackupPlan } from './backup-plan.js';
import type { BackupRunInput } from './backup-run.js';
import type { RestoreRunInput } from './restore-run.js';

/**
 * Everything a replication run needs, resolved by the API (or a schedule's first step) from the
 * definition as it is when the run starts. Only the hooks are read by the phases themselves, when they
 * reach them (as a backup's and a restore's are).
 */
export interface ReplicationRunInput {
  orgId: string;
  jobId: string;
  definitionId: string;
  definitionName: string;
  sourceClusterId: string;
  destinationClusterId: string;
  /** Deleted and re-created by every run; nothing else on the destination is touched. */
  destinationNamespaces: string[];
  /** Those of them Haven did not create may be deleted too (admin-set); otherwise such a namespace fails the run. */
  replaceUnmanagedNamespaces: boolean;
  /** The temporary storage the replica passes through (definition > cluster > organization default). */
  storageTargetId: string;
  selection: BackupRunInput['selection'];
  transforms: RestoreRunInput['transforms'];
  /** The source side: always a copy, with the source hooks. */
  backupPlan: BackupPlan;
  /** The destination side's PV options. */
  restoreVolumes: RestoreVolumeOptions;
}

export type ReplicationOutcome =
  | { status: 'COMPLETED' | 'PARTIAL'; recoveryPointId: string; namespaces: string[] }
  | { status: 'SKIPPED'; reason: string };
