import { eq } from 'drizzle-orm';
import type { RecordedContents, RecordedVolume } from '../../activities/control/recovery-points.js';
import { recoveryPoints } from '../../services/db/schema/index.js';
import type { ExpiryPassInput, ExpiryPassOutcome } from '../../workflows/recovery-point-deletion-input.js';
import type { recoveryPointExpiryWorkflow } from '../../workflows/recovery-point-expiry.js';
import { expectStatus } from '../api/helpers/fixtures.js';
import type { BackupStack } from '../backup/helpers/backup-stack.js';
import type { JobView } from '../backup/helpers/runs.js';
import { uniqueName } from '../support/stack-env.js';

export type PointRow = typeof recoveryPoints.$inferSelect;

/** The recovery point a backup job recorded, as stored (contents include what the API does not show). */
export async function pointOfJob(stack: BackupStack, jobId: string): Promise<PointRow> {
  const [row] = await stack.api.running.database.db.select().from(recoveryPoints).where(eq(recoveryPoints.jobId, jobId));
  if (!row) throw new Error(`job ${jobId} recorded no recovery point`);
  return row;
}

export async function pointById(stack: BackupStack, id: string): Promise<PointRow | undefined> {
  const [row] = await stack.api.running.database.db.select().from(recoveryPoints).where(eq(recoveryPoints.id, id));
  return row;
}

export const keptVolumes = (row: PointRow) => ((row.contents as RecordedContents).persistentVolumes as RecordedVolume[]).filter((v) => v.snapshotName);

/** Runs one expiry pass on this file's control worker with an injected clock: nothing sleeps. */
export async function runExpiryPass(stack: BackupStack, input: ExpiryPassInput): Promise<ExpiryPassOutcome> {
  return stack.temporal.workflow.execute<typeof recoveryPointExpiryWorkflow>('recoveryPointExpiryWorkflow', {
    taskQueue: stack.api.config.workflowEngine!.controlTaskQueue,
    workflowId: uniqueName('expiry-test'),
    args: [input],
  });
}

/** The RECOVERY_POINT_DELETE job a deletion workflow recorded. */
export async function deletionJob(stack: BackupStack, workflowId: string): Promise<JobView> {
  const page = expectStatus<{ items: JobView[] }>(await stack.client.get('/jobs?kind=RECOVERY_POINT_DELETE&limit=100'), 200);
  const job = page.items.find((j) => j.workflowId === workflowId);
  if (!job) throw new Error(`no deletion job for workflow ${workflowId}: ${JSON.stringify(page.items.map((j) => j.workflowId))}`);
  return job;
}

export const DAY_MS = 86_400_000;
