import { createControlActivities, type ControlActivities, type ControlDeps } from '../../../activities/control/index.js';
import type { BackupStack } from './backup-stack.js';

/** The control worker's activities on the stack's database and keys, to call one directly (`deps` overrides). */
export function stackControlActivities(stack: BackupStack, deps: Partial<ControlDeps> = {}): ControlActivities {
  return createControlActivities({
    db: stack.api.running.database.db,
    keyring: stack.api.config.keyring,
    installationKeyring: stack.api.config.keyring,
    temporal: { client: stack.temporal, namespace: 'default' },
    clock: () => new Date(),
    ...deps,
  });
}
