import { expectStatus } from '../../api/helpers/fixtures.js';
import type { BackupStack } from '../../backup/helpers/backup-stack.js';
import { jobAfterRun, type JobView } from '../../backup/helpers/runs.js';
import { uniqueName } from '../../support/stack-env.js';

export interface JobWithKind extends JobView {
  kind: string;
  definitionId: string;
}

/** Creates a replication definition (no first run unless the body asks for one); returns its id. */
export async function createReplication(stack: BackupStack, body: Record<string, unknown>): Promise<string> {
  return expectStatus<{ id: string }>(await stack.client.post('/replication-definitions', { name: uniqueName('replica'), runNow: false, ...body }), 201).id;
}

/** Run now, then the replication job as its workflow left it. */
export async function replicateNow(stack: BackupStack, definitionId: string): Promise<JobWithKind> {
  const started = expectStatus<JobView>(await stack.client.post(`/replication-definitions/${definitionId}/actions/run`, {}), 202);
  return (await jobAfterRun(stack.client, stack.temporal, started)) as JobWithKind;
}

/** Every job of the definition: the replication runs and their backup and restore phases. */
export async function jobsOf(stack: BackupStack, definitionId: string): Promise<JobWithKind[]> {
  return expectStatus<{ items: JobWithKind[] }>(await stack.client.get(`/jobs?definitionId=${definitionId}`), 200).items;
}

/** The recovery points the organization has now. */
export async function recoveryPointIds(stack: BackupStack): Promise<string[]> {
  return expectStatus<{ items: { id: string }[] }>(await stack.client.get('/recovery-points'), 200).items.map((p) => p.id);
}
