import type { Client } from '@temporalio/client';
import { expectStatus } from '../../api/helpers/fixtures.js';
import type { Client as ApiClient } from '../../api/helpers/test-api.js';
import { eventually } from '../../emulator/helpers/cluster.js';

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
