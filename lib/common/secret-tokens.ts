import { createHash, randomBytes } from 'node:crypto';

/** Recognizable prefix (secret scanners can match it); 32 random bytes make guessing hopeless, so a
 * fast unsalted SHA-256 is an adequate stored form. */
const KEY_PREFIX = 'hvn_';

export function generateSecretToken(prefix = KEY_PREFIX): string {
  return prefix + randomBytes(32).toString('base64url');
}

export function hashSecretToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function tokenHint(token: string): string {
  return token.slice(-4);
}
