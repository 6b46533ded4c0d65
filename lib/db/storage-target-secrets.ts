import { randomBytes } from 'node:crypto';
import type { storageTargets } from './schema/index.js';
import { decryptSecret, encryptSecret } from '../common/secrets.js';
import type { SecretKeyring } from '../common/secrets.js';

/**
 * A storage target's secrets at rest: its bucket credentials and its repository secret, each encrypted
 * with the installation's keyring and bound to the organization and record it belongs to. The API
 * writes them; only the control worker reads them, to hand them to the run that needs them.
 */

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

export function encryptCredentials(keyring: SecretKeyring, orgId: string, id: string, credentials: S3Credentials): string {
  return encryptSecret(keyring, JSON.stringify(credentials), credentialsContext(orgId, id));
}

/** For the workers that talk to the bucket; the API itself never returns these. */
export function readCredentials(keyring: SecretKeyring, row: Row): S3Credentials | null {
  if (!row.credentialsCiphertext) return null;
  return JSON.parse(decryptSecret(keyring, row.credentialsCiphertext, credentialsContext(row.orgId, row.id))) as S3Credentials;
}
