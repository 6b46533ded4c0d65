import type { notificationChannels } from './schema/index.js';
import { decryptSecret, encryptSecret, type SecretKeyring } from '../common/secrets.js';

/**
 * A notification channel's secret at rest (a webhook's signing secret, an SMTP password), encrypted with
 * the installation's keyring and bound to organization and record. The API writes it and never returns
 * it; only the control worker reads it, in the activity that sends, so it never enters Temporal history.
 */
function context(orgId: string, id: string): string {
  return `notification-channel:${orgId}:${id}`;
}

export function encryptChannelSecret(keyring: SecretKeyring, orgId: string, id: string, secret: string): string {
  return encryptSecret(keyring, secret, context(orgId, id));
}

export function readChannelSecret(keyring: SecretKeyring, row: typeof notificationChannels.$inferSelect): string | null {
  return row.secretCiphertext ? decryptSecret(keyring, row.secretCiphertext, context(row.orgId, row.id)) : null;
}
