import { randomUUID } from 'node:crypto';
import { storageTargets } from '../../../../lib/db/schema/index.js';
import type { SecretKeyring } from '../../../../lib/common/secrets.js';
import { encryptCredentials, newRepositorySecretCiphertext } from '../../../../lib/db/storage-target-secrets.js';
import type { TenantScope } from '../../../../lib/db/tenant-scope.js';
import type { StorageTarget, StorageTargetCreate, StorageTargetUpdate } from './schema.js';

type Row = typeof storageTargets.$inferSelect;

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
    input.kind === 'S3' ? encryptCredentials(keyring, scope.orgId, id, input.credentials) : null;
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
    credentialsCiphertext = encryptCredentials(keyring, scope.orgId, id, input.credentials);
  }
  return scope.update(storageTargets, id, version, { ...settingsOf(input), credentialsCiphertext }, 'storage target');
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
