import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { expectStatus } from '../../api/helpers/fixtures.js';
import type { Client as ApiClient } from '../../api/helpers/test-api.js';

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
  errors: { message: string }[];
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
  for (;;) {
    const cluster = expectStatus<{ status: string }>(await client.get(`/clusters/${clusterId}`), 200);
    if (cluster.status === 'ACTIVE') return;
    await sleep(200);
  }
}
