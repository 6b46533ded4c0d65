import type { Client } from '@temporalio/client';
import { expectStatus } from '../../api/helpers/fixtures.js';
import type { Client as ApiClient } from '../../api/helpers/test-api.js';
import { eventually } from '../../emulator/helpers/cluster.js';
import type { RunReading } from '../../../services/api/seams/run-progress.js';
import { TemporalRunProgress } from '../../../services/api/seams/temporal-run-progress.js';

export interface JobView {
  id: string;
  status: string;
  skipReason: string | null;
  message: string;
  startedAt: string;
  endedAt: string | null;
  durationSeconds: number | null;
  filesTransferred: number;
  bytesTransferred: number;
  errors: { message: string; resource?: string; output?: string }[];
  workflowId: string;
  workflowRunId: string | null;
}

/** POST run-now; the API answers 202 with the RUNNING job. */
export async function runNow(client: ApiClient, definitionId: string, body: Record<string, unknown> = { retentionDays: 3 }): Promise<JobView> {
  return expectStatus<JobView>(await client.post(`/backup-definitions/${definitionId}/actions/run`, body), 202);
}

/** Waits for the run's workflow to close (however it ends), then reads the job the workflow wrote. */
export async function jobAfterRun(client: ApiClient, temporal: Client, job: JobView): Promise<JobView> {
  await temporal.workflow
    .getHandle(job.workflowId)
    .result()
    .catch(() => undefined);
  return expectStatus<JobView>(await client.get(`/jobs/${job.id}`), 200);
}

/** Waits until the API reports the cluster ACTIVE: the agent's first poll has reached Temporal. */
export async function untilClusterActive(client: ApiClient, clusterId: string): Promise<void> {
  // Under the hooks' timeouts, so a cluster that never comes up fails here, saying so.
  await eventually(
    async () => expectStatus<{ status: string }>(await client.get(`/clusters/${clusterId}`), 200).status === 'ACTIVE',
    `cluster ${clusterId} to be ACTIVE`,
    150_000,
  );
}

/**
 * A backup's progress as the API reads it: the run's own query merged with what its PV batches (child
 * workflows, workflows/backup-volume-batches.ts) report, copies in flight included. The run itself learns
 * a batch's PVs only when the batch ends. Undefined while Temporal cannot answer (the caller retries).
 */
export async function backupProgress(temporal: Client, workflowId: string): Promise<RunReading | undefined> {
  return (await new TemporalRunProgress(temporal, 10_000).read({ kind: 'BACKUP', workflowId })) ?? undefined;
}

/** The child workflow that copies a backup run's first `VOLUME_BATCH_SIZE` PVs: their copy activities are in its history. */
export function firstCopyBatchId(workflowId: string): string {
  return `${workflowId}:copy-1`;
}
