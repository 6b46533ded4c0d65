import type { CloudAccountRow } from './schema/cloud-accounts.js';
import { decryptSecret, encryptSecret } from '../common/secrets.js';
import type { SecretKeyring } from '../common/secrets.js';

/**
 * A cloud account's access keys at rest, encrypted with the installation's keyring and bound to the
 * organization and record (the storage-target pattern). The API writes them; only the control worker
 * reads them, inside the activity that calls AWS: they never enter a workflow's input or history.
 */
export interface CloudAccountKeys {
  accessKeyId: string;
  secretAccessKey: string;
}

function context(orgId: string, id: string): string {
  return `cloud-account:${orgId}:${id}`;
}

export function encryptCloudAccountKeys(keyring: SecretKeyring, orgId: string, id: string, keys: CloudAccountKeys): string {
  return encryptSecret(keyring, JSON.stringify(keys), context(orgId, id));
}

export function readCloudAccountKeys(keyring: SecretKeyring, row: Pick<CloudAccountRow, 'orgId' | 'id' | 'credentialsCiphertext'>): CloudAccountKeys | null {
  if (!row.credentialsCiphertext) return null;
  return JSON.parse(decryptSecret(keyring, row.credentialsCiphertext, context(row.orgId, row.id))) as CloudAccountKeys;
}
