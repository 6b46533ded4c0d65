import { ApplicationFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ControlActivities } from '../activities/control/index.js';
import type { StorageVerificationInput, StorageVerificationOutcome } from '../lib/domain/runs/storage-verification.js';
import { CONTROL, REPOSITORY_VERIFICATION } from './activity-profiles.js';
import { rootCauseMessage } from './failure-message.js';

/** A verification that could not read the repository ends the workflow failed too, like its record. */
export const VERIFICATION_FAILED = 'VERIFICATION_FAILED';

/**
 * One verification of a storage target's repository: record it RUNNING (with the target's settings as
 * they are now, for a scheduled one) → the data mover's verification, in the control worker → PASSED
 * when nothing was found bad, FAILED naming every object that was, or FAILED saying why it could not run.
 */
export async function storageVerificationWorkflow(input: StorageVerificationInput): Promise<StorageVerificationOutcome> {
  const control = proxyActivities<ControlActivities>(CONTROL);
  const reader = proxyActivities<ControlActivities>(REPOSITORY_VERIFICATION);
  const begun = await control.beginStorageVerification({ ...input, workflowId: workflowInfo().workflowId });
  if (begun.status === 'SKIPPED') return { status: 'SKIPPED', reason: begun.reason };
  const { verificationId } = begun;

  let report;
  try {
    report = await reader.verifyStorageRepository(begun.request);
  } catch (error) {
    const message = `the repository could not be verified: ${rootCauseMessage(error)}`;
    await control.finishStorageVerification({ orgId: input.orgId, verificationId, status: 'FAILED', message });
    throw ApplicationFailure.nonRetryable(message, VERIFICATION_FAILED);
  }
  const { figures, findingCount } = report;
  const read = `${figures.snapshots} snapshots checked, ${figures.packsRead} of ${figures.packs} packs read in full`;
  const status = findingCount === 0 ? 'PASSED' : 'FAILED';
  const message =
    status === 'PASSED'
      ? `Nothing found bad: ${read}`
      : `${findingCount} problem${findingCount === 1 ? '' : 's'} found (${report.findings[0]!.objectKey}: ${report.findings[0]!.message}); ${figures.damagedSnapshots} snapshots cannot be restored whole; ${read}`;
  await control.finishStorageVerification({ orgId: input.orgId, verificationId, status, message, report });
  return { status, verificationId, findingCount };
}
