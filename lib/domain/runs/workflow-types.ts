/**
 * Every workflow type the control worker registers, by the name its function is exported under in
 * `workflows/index.ts`. Starters name workflows through this list only, and a test holds it equal to
 * what the worker registers, so a renamed workflow fails the suite rather than a run in production.
 */
export const WORKFLOW_TYPES = {
  backup: 'backupWorkflow',
  backupVolumeBatch: 'backupVolumeBatchWorkflow',
  restore: 'restoreWorkflow',
  replication: 'replicationWorkflow',
  previewBackup: 'previewBackupWorkflow',
  clusterInventory: 'clusterInventoryWorkflow',
  scheduledRun: 'scheduledRunWorkflow',
  deleteRecoveryPoint: 'deleteRecoveryPointWorkflow',
  recoveryPointExpiry: 'recoveryPointExpiryWorkflow',
  repositoryGcPass: 'repositoryGcPassWorkflow',
  leftoverSweep: 'leftoverSweepWorkflow',
  clusterSweep: 'clusterSweepWorkflow',
  rdsBackup: 'rdsBackupWorkflow',
  rdsRestore: 'rdsRestoreWorkflow',
  rdsInventory: 'rdsInventoryWorkflow',
  storageVerification: 'storageVerificationWorkflow',
  drill: 'drillWorkflow',
  notificationDelivery: 'notificationDeliveryWorkflow',
} as const;
