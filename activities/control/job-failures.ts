import { ApplicationFailure } from '@temporalio/activity';

/**
 * The API inserts the job row, starts the workflow, then commits: the first activities can run before
 * the row is visible. Retryable, so the activity's retry policy waits for the commit.
 */
export function jobNotVisible(jobId: string): ApplicationFailure {
  return ApplicationFailure.retryable(`job ${jobId} is not visible yet (the API commits it after starting the run)`, 'JOB_NOT_FOUND');
}
