/**
 * Every workflow type the control worker registers, by the name its function is exported under in
 * `workflows/index.ts` (a test holds the two lists equal). Starters name workflows through this list
 * only, so a renamed workflow breaks the build here rather than a run in production.
 */
export const WORKFLOW_TYPES = {
  backup: 'backupWorkflow',
  restore: 'restoreWorkflow',
  replication: 'replicationWorkflow',
  previewBackup: 'previewBackupWorkflow',
  scheduledRun: 'scheduledRunWorkflow',
  deleteRecoveryPoint: 'deleteRecoveryPointWorkflow',
  recoveryPointExpiry: 'recoveryPointExpiryWorkflow',
} as const;
