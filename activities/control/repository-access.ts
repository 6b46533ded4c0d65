import { ApplicationFailure } from '@temporalio/activity';
import { and, eq } from 'drizzle-orm';
import type { RepositoryAccess } from '../../proto/agent/index.js';
import { newRepositorySecretCiphertext, readRepositorySecret } from '../../lib/db/storage-target-secrets.js';
import { storageTargets } from '../../lib/db/schema/index.js';
import { REPOSITORY_FOLDER, targetRepository } from '../../lib/db/storage-target-repository.js';
import type { ControlDeps } from './deps.js';

export { REPOSITORY_FOLDER };

export interface RepositoryAccessRequest {
  orgId: string;
  storageTargetId: string;
  retention: { days: number; safeLock: boolean };
}

/**
 * Resolves a storage target into what the agent needs to open its repository, decrypting credentials
 * and the repository secret. The result travels only inside encrypted payloads. A target created
 * before repository secrets existed gets one here, under a row lock, so two first backups agree.
 */
export function repositoryAccessActivities(deps: ControlDeps) {
  return {
    async resolveRepositoryAccess(request: RepositoryAccessRequest): Promise<RepositoryAccess> {
      return deps.db.transaction(async (tx) => {
        const [row] = await tx
          .select()
          .from(storageTargets)
          .where(and(eq(storageTargets.orgId, request.orgId), eq(storageTargets.id, request.storageTargetId)))
          .for('update');
        if (!row) throw ApplicationFailure.nonRetryable(`storage target ${request.storageTargetId} no longer exists`, 'STORAGE_TARGET_NOT_FOUND');
        let secret = readRepositorySecret(deps.keyring, row);
        if (secret === null) {
          const repositorySecretCiphertext = newRepositorySecretCiphertext(deps.keyring, row.orgId, row.id);
          await tx.update(storageTargets).set({ repositorySecretCiphertext }).where(eq(storageTargets.id, row.id));
          secret = readRepositorySecret(deps.keyring, { ...row, repositorySecretCiphertext }) as string;
        }
        return targetRepository(deps.keyring, row, secret, request.retention);
      });
    },
  };
}
