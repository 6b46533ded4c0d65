import { eq } from 'drizzle-orm';
import { openOrInitRepository } from '../../../activities/common/open-repository.js';
import { REPOSITORY_FOLDER } from '../../../activities/control/repository-access.js';
import type { RecordedContents } from '../../../activities/control/recovery-points.js';
import type { CopiedVolume } from '../../../proto/mover/index.js';
import { readCredentials, readRepositorySecret } from '../../../lib/db/storage-target-secrets.js';
import type { Repository } from '../../../lib/datamover/repository/repository.js';
import { recoveryPoints, storageTargets } from '../../../lib/db/schema/index.js';
import type { Database } from '../../../lib/db/client.js';
import type { SecretKeyring } from '../../../lib/common/secrets.js';
import { stackEnv } from '../../support/stack-env.js';
import type { BackupStack } from './backup-stack.js';

/** Opens an S3 storage target's repository as the agent would, with its decrypted secret and credentials. */
export async function openTargetRepository(stack: BackupStack, storageTargetId: string): Promise<Repository> {
  return openRepositoryOf(stack.api.running.database.db, stack.api.config.keyring, storageTargetId);
}

/** The same from any control-plane database and its secret keyring (a suite running Haven as processes). */
export async function openRepositoryOf(db: Database, keyring: SecretKeyring, storageTargetId: string): Promise<Repository> {
  const [target] = await db.select().from(storageTargets).where(eq(storageTargets.id, storageTargetId));
  const config = target!.config as { bucket: string; prefix?: string };
  const credentials = readCredentials(keyring, target!);
  return openOrInitRepository({
    storageTargetId,
    location: `s3://${config.bucket}/${config.prefix ? `${config.prefix}/` : ''}${REPOSITORY_FOLDER}`,
    s3: { endpoint: stackEnv('S3_ENDPOINT'), region: stackEnv('S3_REGION'), pathStyle: true, accessKeyId: credentials!.accessKeyId, secretAccessKey: credentials!.secretAccessKey },
    secret: readRepositorySecret(keyring, target!)!,
  });
}

/** The copied PVs a job's recovery point records, as restores read them from the database. */
export async function recordedCopies(stack: BackupStack, jobId: string): Promise<CopiedVolume[]> {
  const [point] = await stack.api.running.database.db.select().from(recoveryPoints).where(eq(recoveryPoints.jobId, jobId));
  return ((point?.contents as RecordedContents | undefined)?.persistentVolumes ?? []) as unknown as CopiedVolume[];
}
