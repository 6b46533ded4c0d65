import type { BackupRunInput } from './backup-input.js';
import type { RestoreRunInput } from './restore-input.js';

/**
 * Everything a replication run needs, resolved by the API (or a schedule's first step) from the
 * definition as it is when the run starts. The hooks and PV options are read by the phases themselves,
 * from the same definition, when they reach them (as a backup's and a restore's are).
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
  /** The temporary storage the replica passes through (definition > cluster > organization default). */
  storageTargetId: string;
  selection: BackupRunInput['selection'];
  transforms: RestoreRunInput['transforms'];
}

export type ReplicationOutcome =
  | { status: 'COMPLETED' | 'PARTIAL'; recoveryPointId: string; namespaces: string[] }
  | { status: 'SKIPPED'; reason: string };
