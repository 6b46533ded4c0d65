import { noAgentLiveness } from './agent-liveness.js';
import { unavailablePreviewer } from './backup-preview.js';
import { unavailableInventory } from './cluster-inventory.js';
import { noRunProgress } from './run-progress.js';
import { UnavailableWorkflowLauncher } from './workflow-launcher.js';

/** The seams an API without Temporal runs with: each answers honestly that the engine is not there. */
export function unavailableSeams() {
  return { launcher: new UnavailableWorkflowLauncher(), liveness: noAgentLiveness, previewer: unavailablePreviewer, inventory: unavailableInventory, runProgress: noRunProgress };
}
