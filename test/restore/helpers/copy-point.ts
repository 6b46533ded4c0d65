import { expect } from 'vitest';
import { createBackupDefinition, expectStatus } from '../../api/helpers/fixtures.js';
import type { BackupStack } from '../../backup/helpers/backup-stack.js';
import { jobAfterRun, runNow, type JobView } from '../../backup/helpers/runs.js';

/** Backs up namespaces with their PVs copied to the storage target, and answers the run's job and recovery point. */
export async function copyRecoveryPoint(stack: BackupStack, clusterId: string, namespaces: string[], storageTargetId: string): Promise<{ backup: JobView; recoveryPointId: string }> {
  const definitionId = (
    await createBackupDefinition(stack.client, clusterId, {
      selection: { scope: 'SELECTED_NAMESPACES', namespaces },
      persistentVolumes: { mode: 'BACKUP_TO_OBJECT_STORAGE' },
      advanced: { destinationStorageTargetId: storageTargetId },
    })
  ).id;
  const backup = await jobAfterRun(stack.client, stack.temporal, await runNow(stack.client, definitionId));
  expect(['COMPLETED', 'PARTIAL'], `${backup.message} ${JSON.stringify(backup.errors)}`).toContain(backup.status);
  const points = expectStatus<{ items: { id: string; jobId: string }[] }>(await stack.client.get('/recovery-points'), 200);
  return { backup, recoveryPointId: points.items.find((p) => p.jobId === backup.id)!.id };
}
