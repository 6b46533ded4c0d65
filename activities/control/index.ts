import type { ControlDeps } from './deps.js';
import { drillActivities } from './drills.js';
import { jobActivities } from './jobs.js';
import { leftoverJobActivities } from './leftover-jobs.js';
import { moverTokenActivities } from './mover-tokens.js';
import { notificationActivities } from './notifications/deliveries.js';
import { orphanedJobActivities } from './orphaned-jobs.js';
import { recoveryPointDeletionActivities } from './recovery-point-deletion.js';
import { recoveryPointExpiryActivities } from './recovery-point-expiry.js';
import { recoveryPointActivities } from './recovery-points.js';
import { replicationPhaseActivities } from './replication-phases.js';
import { repositoryMaintenanceActivities } from './repository-maintenance.js';
import { repositoryAccessActivities } from './repository-access.js';
import { restoreSourceActivities } from './restore-source.js';
import { rdsInventoryActivities } from './rds-inventory.js';
import { rdsRestoreActivities } from './rds-restores.js';
import { rdsSnapshotActivities } from './rds-snapshots.js';
import { runHookActivities } from './run-hooks.js';
import { scheduledRunActivities } from './scheduled-runs.js';
import { skipCheckActivities } from './skip-checks.js';
import { storageVerificationActivities } from './storage-verification.js';

/** Every activity the control worker runs; workflows import this type only. */
export function createControlActivities(deps: ControlDeps) {
  return {
    ...jobActivities(deps),
    ...skipCheckActivities(deps),
    ...repositoryAccessActivities(deps),
    ...recoveryPointActivities(deps),
    ...runHookActivities(deps),
    ...restoreSourceActivities(deps),
    ...scheduledRunActivities(deps),
    ...replicationPhaseActivities(deps),
    ...recoveryPointDeletionActivities(deps),
    ...recoveryPointExpiryActivities(deps),
    ...repositoryMaintenanceActivities(deps),
    ...moverTokenActivities(deps),
    ...leftoverJobActivities(deps),
    ...orphanedJobActivities(deps),
    ...rdsSnapshotActivities(deps),
    ...rdsRestoreActivities(deps),
    ...rdsInventoryActivities(deps),
    ...storageVerificationActivities(deps),
    ...drillActivities(deps),
    ...notificationActivities(deps),
  };
}

export type ControlActivities = ReturnType<typeof createControlActivities>;
export type { ControlDeps } from './deps.js';
