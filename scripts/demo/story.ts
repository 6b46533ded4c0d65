import type { HavenApi } from './api-client.js';
import { watchJob, type JobView } from './job-watch.js';

export const DEMO_BACKUP = 'demo-app';
const RETENTION_DAYS = 7;
const RESTORE_PREFIX = 'demo-restore-';

/** GET /recovery-points/{id}, as much of it as the report reads. */
export interface RecoveryPointView {
  id: string;
  jobId: string | null;
  type: string;
  createdAt: string;
  expiresAt: string;
  sizeBytes: number;
  contents: {
    namespaces: string[];
    resourceCount: number;
    persistentVolumes: { namespace: string; claim: string; storageClass: string; sizeBytes: number; method: string; copyBytes?: number; copyFiles?: number }[];
  };
}

/** The backup definition of the demo's namespaces: created once, then reused (and kept to them). */
export async function ensureBackupDefinition(api: HavenApi, clusterId: string, namespaces: readonly string[]): Promise<{ id: string }> {
  const existing = await api.findByName<{ id: string; name: string }>('backup-definitions', DEMO_BACKUP);
  if (existing) return existing;
  return api.post<{ id: string }>('/backup-definitions', {
    name: DEMO_BACKUP,
    clusterId,
    selection: { scope: 'SELECTED_NAMESPACES', namespaces },
    // The default, said out loud: PV data is copied into the deduplicated repository, from CSI snapshots.
    persistentVolumes: { mode: 'BACKUP_TO_OBJECT_STORAGE', snapshotBeforeBackup: true },
    tags: { purpose: 'demo' },
  });
}

/** "Run now", then the job followed to its end with live progress. */
export async function runBackup(api: HavenApi, definitionId: string): Promise<JobView> {
  const started = await api.post<JobView>(`/backup-definitions/${definitionId}/actions/run`, { retentionDays: RETENTION_DAYS });
  return watchJob(api, started.id, 'backup');
}

export async function recoveryPointOf(api: HavenApi, definitionId: string, jobId: string): Promise<RecoveryPointView> {
  const page = await api.get<{ items: RecoveryPointView[] }>(`/recovery-points?definitionId=${definitionId}&limit=200`);
  const point = page.items.find((p) => p.jobId === jobId);
  if (!point) throw new Error(`backup job ${jobId} recorded no recovery point`);
  return point;
}

/** A restore of the whole recovery point into the cluster it came from, run at once and followed. */
export async function runRestore(api: HavenApi, recoveryPointId: string, clusterId: string): Promise<JobView> {
  const restore = await api.post<{ id: string }>('/restores', {
    name: `${RESTORE_PREFIX}${new Date().toISOString().replace(/[:.]/g, '-')}`,
    recoveryPointId,
    targetClusterId: clusterId,
    existingResources: 'SKIP',
  });
  const started = await api.post<JobView>(`/restores/${restore.id}/actions/run`, {});
  return watchJob(api, started.id, 'restore');
}

/** A job that did not complete stops the demo with what the API said about it. */
export function expectCompleted(job: JobView, what: string): void {
  if (job.status === 'COMPLETED') return;
  const errors = job.errors.map((e) => `\n    - ${e.resource ? `${e.resource}: ` : ''}${e.message}`).join('');
  throw new Error(`the ${what} ended ${job.status}: ${job.message}${errors}\n  Temporal UI: ${job.temporalUiUrl}`);
}

/**
 * Runs of an earlier demo that was stopped mid-way are still RUNNING: their workflows outlive every
 * process. They are cancelled (and waited for) before the new run, which would otherwise be SKIPPED as
 * "already running", or find an old restore recreating the namespaces it just deleted.
 */
export async function cancelEarlierRuns(api: HavenApi): Promise<number> {
  const running = (await api.get<{ items: (JobView & { definitionName: string })[] }>('/jobs?status=RUNNING&limit=200')).items;
  const ours = running.filter((job) => job.definitionName === DEMO_BACKUP || job.definitionName.startsWith(RESTORE_PREFIX));
  for (const job of ours) {
    await api.post(`/jobs/${job.id}/actions/cancel`, {}).catch(() => undefined);
    await watchJob(api, job.id, `cancelling ${job.definitionName}`);
  }
  return ours.length;
}
