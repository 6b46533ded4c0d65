import { randomBytes, randomUUID } from 'node:crypto';
import { storageTargets } from '../../../../lib/db/schema/index.js';
import { decryptSecret, encryptSecret } from '../../../../lib/common/secrets.js';
import type { SecretKeyring } from '../../../../lib/common/secrets.js';
import type { TenantScope } from '../../../../lib/db/tenant-scope.js';
import type { StorageTarget, StorageTargetCreate, StorageTargetUpdate } from './schema.js';

type Row = typeof storageTargets.$inferSelect;

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** The ciphertext is bound to organization and record, so it cannot be replayed onto another. */
function credentialsContext(orgId: string, id: string): string {
  return `storage-target:${orgId}:${id}`;
}

/** A different context from the credentials': one envelope can never be read as the other. */
function repositorySecretContext(orgId: string, id: string): string {
  return `storage-target-repository:${orgId}:${id}`;
}

/** 32 random bytes: the repository KDF needs no stretching to protect it, and nobody types it. */
const REPOSITORY_SECRET_BYTES = 32;

/** A fresh repository secret for target `id`, encrypted for storage. */
export function newRepositorySecretCiphertext(keyring: SecretKeyring, orgId: string, id: string): string {
  return encryptSecret(keyring, randomBytes(REPOSITORY_SECRET_BYTES).toString('base64url'), repositorySecretContext(orgId, id));
}

/** For the workers that open the repository; null for a target created before secrets existed. */
export function readRepositorySecret(keyring: SecretKeyring, row: Row): string | null {
  if (!row.repositorySecretCiphertext) return null;
  return decryptSecret(keyring, row.repositorySecretCiphertext, repositorySecretContext(row.orgId, row.id));
}

function settingsOf(input: StorageTargetCreate | StorageTargetUpdate) {
  if (input.kind === 'FILESYSTEM') {
    return { name: input.name, kind: input.kind, objectLockCapable: false, config: { path: input.path } };
  }
  const { name, kind, objectLockCapable, endpoint, region, bucket, prefix, pathStyle, skipTlsVerify } = input;
  return { name, kind, objectLockCapable, config: { endpoint, region, bucket, prefix, pathStyle, skipTlsVerify } };
}

export async function createStorageTarget(scope: TenantScope, keyring: SecretKeyring, input: StorageTargetCreate): Promise<Row> {
  const id = randomUUID();
  const credentialsCiphertext =
    input.kind === 'S3' ? encryptSecret(keyring, JSON.stringify(input.credentials), credentialsContext(scope.orgId, id)) : null;
  const repositorySecretCiphertext = newRepositorySecretCiphertext(keyring, scope.orgId, id);
  return scope.insert(storageTargets, { id, ...settingsOf(input), credentialsCiphertext, repositorySecretCiphertext });
}

export async function updateStorageTarget(
  scope: TenantScope,
  keyring: SecretKeyring,
  id: string,
  version: number,
  input: StorageTargetUpdate,
): Promise<Row> {
  const current = await scope.get(storageTargets, id, 'storage target');
  let credentialsCiphertext = current.credentialsCiphertext;
  if (input.kind === 'FILESYSTEM') credentialsCiphertext = null;
  else if (input.credentials) {
    credentialsCiphertext = encryptSecret(keyring, JSON.stringify(input.credentials), credentialsContext(scope.orgId, id));
  }
  return scope.update(storageTargets, id, version, { ...settingsOf(input), credentialsCiphertext }, 'storage target');
}

/** For the workers that talk to the bucket; the API itself never returns these. */
export function readCredentials(keyring: SecretKeyring, row: Row): S3Credentials | null {
  if (!row.credentialsCiphertext) return null;
  return JSON.parse(decryptSecret(keyring, row.credentialsCiphertext, credentialsContext(row.orgId, row.id))) as S3Credentials;
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
