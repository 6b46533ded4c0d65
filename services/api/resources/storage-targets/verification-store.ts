import { Problem } from '../../../../lib/common/problem.js';
import type { storageTargets, StorageVerificationRow } from '../../../../lib/db/schema/index.js';
import type { WorkflowLauncher } from '../../seams/workflow-launcher.js';
import type { StorageVerification } from './verification-schema.js';

type TargetRow = typeof storageTargets.$inferSelect;

/**
 * Brings the target's verification Schedule in line with the target just written (or deleted). Called in
 * the write's transaction: if Temporal refuses, the write is rolled back too (503 naming the target).
 */
export async function syncVerificationSchedule(launcher: WorkflowLauncher, row: TargetRow, deleted = false): Promise<void> {
  try {
    await launcher.syncVerificationSchedule({ orgId: row.orgId, storageTargetId: row.id, settings: deleted ? undefined : row.verification });
  } catch (error) {
    if (error instanceof Problem) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new Problem('engine-unavailable', `the verification schedule of storage target "${row.name}" could not be saved in Temporal (${reason}); nothing was changed, retry when Temporal answers`);
  }
}

export function verificationToApi(row: StorageVerificationRow): StorageVerification {
  return {
    id: row.id,
    storageTargetId: row.storageTargetId,
    status: row.status,
    trigger: row.trigger,
    mode: row.mode,
    samplePercent: row.samplePercent,
    message: row.message,
    figures: row.figures,
    findings: row.findings,
    findingCount: row.findingCount,
    startedAt: row.startedAt.toISOString(),
    endedAt: row.endedAt?.toISOString() ?? null,
  };
}
