import { randomUUID } from 'node:crypto';
import { storageTargets } from '../../../../lib/db/schema/index.js';
import type { SecretKeyring } from '../../../../lib/common/secrets.js';
import { fieldProblem } from '../../../../lib/common/problem.js';
import { cronProblem, isKnownTimeZone } from '../../../../lib/common/cron.js';
import { filesystemPathRefusal } from '../../../../lib/common/storage-access/filesystem-root.js';
import { encryptCredentials, newRepositorySecretCiphertext, readCredentials } from '../../../../lib/db/storage-target-secrets.js';
import type { TenantScope } from '../../../../lib/db/tenant-scope.js';
import { StorageProbeError, type StorageProbe } from '../../seams/storage-probe.js';
import type { StorageTarget, StorageTargetCreate, StorageTargetUpdate } from './schema.js';

type Row = typeof storageTargets.$inferSelect;
type S3Input = Extract<StorageTargetCreate | StorageTargetUpdate, { kind: 'S3' }>;

function settingsOf(input: StorageTargetCreate | StorageTargetUpdate, objectLockCapable: boolean) {
  const { verification } = input;
  if (input.kind === 'FILESYSTEM') {
    return { name: input.name, kind: input.kind, objectLockCapable: false, config: { path: input.path }, verification };
  }
  const { name, kind, endpoint, region, bucket, prefix, pathStyle, skipTlsVerify } = input;
  return { name, kind, objectLockCapable, config: { endpoint, region, bucket, prefix, pathStyle, skipTlsVerify }, verification };
}

/** What the schema cannot say of the verification schedule: the cron grammar and the time zone database. */
function checkVerification(input: StorageTargetCreate | StorageTargetUpdate): void {
  const { cron, timeZone } = input.verification;
  if (!isKnownTimeZone(timeZone)) throw fieldProblem('body.verification.timeZone', `"${timeZone}" is not an IANA time zone`);
  const problem = cronProblem(cron);
  if (problem) throw fieldProblem('body.verification.cron', problem);
}

/**
 * Probes an S3 target as given (with the stored credentials when an update leaves them out) and answers
 * whether its bucket has Object Lock. Anything unusable is a 422 naming the field to fix; so is asking
 * for `objectLockCapable` on a bucket that does not have it, since SafeLock would then promise nothing.
 */
async function probedObjectLock(probe: StorageProbe, input: S3Input, credentials: { accessKeyId: string; secretAccessKey: string } | null): Promise<boolean> {
  if (!credentials) throw fieldProblem('body.credentials', 'no credentials are stored for this target: give them');
  let result;
  try {
    result = await probe.probeS3({ endpoint: input.endpoint, region: input.region, bucket: input.bucket, prefix: input.prefix, pathStyle: input.pathStyle, skipTlsVerify: input.skipTlsVerify, credentials });
  } catch (error) {
    if (error instanceof StorageProbeError) throw fieldProblem(`body.${error.field}`, error.reason);
    throw error;
  }
  if (input.objectLockCapable && !result.objectLockEnabled) {
    throw fieldProblem('body.objectLockCapable', `bucket "${input.bucket}" has no Object Lock configuration (versioning: ${result.versioning}); SafeLock needs a bucket created with Object Lock enabled`);
  }
  return result.objectLockEnabled;
}

/** What a target is checked against before it is saved. */
export interface TargetChecks {
  probe: StorageProbe;
  filesystemRoot: string | undefined;
}

function checkFilesystemPath(checks: TargetChecks, scope: TenantScope, input: StorageTargetCreate | StorageTargetUpdate): void {
  if (input.kind !== 'FILESYSTEM') return;
  const refusal = filesystemPathRefusal(checks.filesystemRoot, scope.orgId, input.path);
  if (refusal) throw fieldProblem('body.path', refusal);
}

export async function createStorageTarget(scope: TenantScope, keyring: SecretKeyring, checks: TargetChecks, input: StorageTargetCreate): Promise<Row> {
  const id = randomUUID();
  checkVerification(input);
  checkFilesystemPath(checks, scope, input);
  const objectLockCapable = input.kind === 'S3' ? await probedObjectLock(checks.probe, input, input.credentials) : false;
  const credentialsCiphertext =
    input.kind === 'S3' ? encryptCredentials(keyring, scope.orgId, id, input.credentials) : null;
  const repositorySecretCiphertext = newRepositorySecretCiphertext(keyring, scope.orgId, id);
  return scope.insert(storageTargets, { id, ...settingsOf(input, objectLockCapable), credentialsCiphertext, repositorySecretCiphertext });
}

export async function updateStorageTarget(
  scope: TenantScope,
  keyring: SecretKeyring,
  checks: TargetChecks,
  id: string,
  version: number,
  input: StorageTargetUpdate,
): Promise<Row> {
  const current = await scope.get(storageTargets, id, 'storage target');
  checkVerification(input);
  checkFilesystemPath(checks, scope, input);
  const objectLockCapable = input.kind === 'S3' ? await probedObjectLock(checks.probe, input, input.credentials ?? (current.kind === 'S3' ? readCredentials(keyring, current) : null)) : false;
  let credentialsCiphertext = current.credentialsCiphertext;
  if (input.kind === 'FILESYSTEM') credentialsCiphertext = null;
  else if (input.credentials) {
    credentialsCiphertext = encryptCredentials(keyring, scope.orgId, id, input.credentials);
  }
  return scope.update(storageTargets, id, version, { ...settingsOf(input, objectLockCapable), credentialsCiphertext }, 'storage target');
}

export function toApi(row: Row): StorageTarget {
  const base = {
    id: row.id,
    name: row.name,
    kind: row.kind,
    objectLockCapable: row.objectLockCapable,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    verification: row.verification,
  };
  const config = row.config as Record<string, string | boolean>;
  if (row.kind === 'FILESYSTEM') return { ...base, path: String(config.path) };
  return {
    ...base,
    endpoint: String(config.endpoint),
    region: String(config.region),
    bucket: String(config.bucket),
    prefix: String(config.prefix),
    pathStyle: Boolean(config.pathStyle),
    skipTlsVerify: Boolean(config.skipTlsVerify),
    hasCredentials: row.credentialsCiphertext !== null,
  };
}
