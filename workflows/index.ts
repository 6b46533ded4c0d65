/** Every workflow the control worker runs (its `workflowsPath`). */
export { backupWorkflow } from './backup.js';
export { backupVolumeBatchWorkflow } from './backup-volume-batch.js';
export { restoreWorkflow } from './restore.js';
export { previewBackupWorkflow } from './preview.js';
export { clusterInventoryWorkflow } from './cluster-inventory.js';
export { scheduledRunWorkflow } from './schedule-run.js';
export { deleteRecoveryPointWorkflow } from './recovery-point-delete.js';
export { recoveryPointExpiryWorkflow } from './recovery-point-expiry.js';
export { repositoryGcPassWorkflow } from './repository-gc-pass.js';
export { replicationWorkflow } from './replication.js';
export { clusterSweepWorkflow, leftoverSweepWorkflow } from './leftover-sweep.js';
export { rdsBackupWorkflow } from './rds-backup.js';
export { rdsRestoreWorkflow } from './rds-restore.js';
export { rdsInventoryWorkflow } from './rds-inventory.js';
export { storageVerificationWorkflow } from './storage-verification.js';
export { drillWorkflow } from './drill.js';
export { notificationDeliveryWorkflow } from './notification-delivery.js';
