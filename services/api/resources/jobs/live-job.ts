import type { Role } from '../../../../lib/common/enums.js';
import type { jobs } from '../../../../lib/db/schema/index.js';
import type { ApiContext } from '../../context.js';
import { jobProgress, stepOnlyProgress } from './progress.js';
import type { Job } from './schema.js';
import { toApi } from './store.js';

/** The job as `role` may read it, with its run's live progress while it is RUNNING (null when the run does not answer). */
export async function liveJob(context: ApiContext, row: typeof jobs.$inferSelect, role: Role): Promise<Job> {
  const job = toApi(row, context.temporal, role);
  if (row.status !== 'RUNNING') return job;
  if (row.kind === 'RECOVERY_POINT_DELETE') return { ...job, progress: stepOnlyProgress(row, context.clock.now()) };
  const reading = await context.runProgress.read(row);
  return { ...job, progress: reading && jobProgress(reading, context.clock.now()) };
}
