import { Problem } from '../../../lib/common/problem.js';
import type { PreviewBackupResult } from '../../../proto/agent/index.js';
import type { PreviewBackupInput } from '../../../workflows/preview.js';

/** Asks a cluster's agent what a definition would back up (workflows/preview.ts on Temporal). */
export interface BackupPreviewer {
  /** Throws Problem `agent-timeout` when no answer comes within `input.timeoutMs`. */
  preview(input: PreviewBackupInput & { orgId: string; definitionId: string }): Promise<PreviewBackupResult>;
}

export const unavailablePreviewer: BackupPreviewer = {
  preview: async () => {
    throw new Problem('workflows-unavailable', 'previewing a backup needs the workflow engine (TEMPORAL_ADDRESS is not set); nothing was changed');
  },
};
