import type { JobError } from './backup-summary.js';
import type { ReplicaNamespaces } from './replication-namespaces.js';

export interface PhaseEnd {
  status: string;
  message: string;
  errors: JobError[];
  bytesTransferred?: number;
  filesTransferred?: number;
}

export interface ReplicationSummary {
  status: 'COMPLETED' | 'PARTIAL';
  message: string;
  errors: JobError[];
  /** What both phases moved: uploaded to the temporary storage, then read back into the destination. */
  bytesTransferred: number;
  filesTransferred: number;
}

/**
 * How a replication that got to the end reads on its job: both phases' messages, every error of either
 * (named by phase), each backed-up namespace that had no destination namespace to land in, and a
 * temporary point that could not be deleted. Any of those makes it PARTIAL.
 */
export function summarizeReplication(backup: PhaseEnd, restore: PhaseEnd, namespaces: ReplicaNamespaces, temporaryPointLeft: string | null = null): ReplicationSummary {
  const errors: JobError[] = [
    ...backup.errors.map((e) => ({ ...e, message: `backup: ${e.message}` })),
    ...restore.errors.map((e) => ({ ...e, message: `restore: ${e.message}` })),
    ...namespaces.outside.map(({ namespace, target }) => ({
      message: `namespace ${namespace} was not replicated: it would become ${target}, which is not one of the destination namespaces`,
      resource: `namespaces/${namespace}`,
    })),
    ...(temporaryPointLeft ? [{ message: temporaryPointLeft }] : []),
  ];
  const replicated = Object.entries(namespaces.mapping).map(([from, to]) => (from === to ? from : `${from} → ${to}`));
  const message = `Replicated ${replicated.length} namespace${replicated.length === 1 ? '' : 's'} (${replicated.join(', ')}). Backup: ${backup.message}. Restore: ${restore.message}`;
  const partial = errors.length > 0 || backup.status !== 'COMPLETED' || restore.status !== 'COMPLETED';
  const sum = (field: 'bytesTransferred' | 'filesTransferred') => (backup[field] ?? 0) + (restore[field] ?? 0);
  return { status: partial ? 'PARTIAL' : 'COMPLETED', message, errors, bytesTransferred: sum('bytesTransferred'), filesTransferred: sum('filesTransferred') };
}
