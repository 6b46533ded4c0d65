import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Encryption at rest for credentials kept in Postgres (AES-256-GCM).
 *
 * Keys come from `HAVEN_SECRET_KEY`: a comma-separated list of `<keyId>:<base64 32-byte key>`. The
 * first key encrypts; every listed key can decrypt, so rotation is: prepend a new key, re-encrypt
 * (see `needsReencryption`), then drop the old one. The key id travels in each envelope.
 *
 * Each envelope is bound to a context string (e.g. `storage-target:<org>:<id>`) as GCM associated
 * data, so a ciphertext copied onto another record or tenant fails to decrypt instead of leaking.
 */

const ENVELOPE_VERSION = 'v1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

export interface SecretKeyring {
  readonly currentKeyId: string;
  readonly keys: ReadonlyMap<string, Buffer>;
}

export class SecretKeyError extends Error {
  override name = 'SecretKeyError';
}

export function parseKeyring(spec: string | undefined): SecretKeyring {
  if (!spec || spec.trim() === '') {
    throw new SecretKeyError('HAVEN_SECRET_KEY is not set; it must hold at least one "<keyId>:<base64 32-byte key>"');
  }
  const keys = new Map<string, Buffer>();
  let currentKeyId: string | undefined;
  for (const [index, entry] of spec.split(',').map((e) => e.trim()).entries()) {
    const separator = entry.indexOf(':');
    if (separator < 0) throw new SecretKeyError(`HAVEN_SECRET_KEY entry ${index + 1} has no "<keyId>:" prefix`);
    const keyId = entry.slice(0, separator);
    const key = Buffer.from(entry.slice(separator + 1), 'base64');
    if (!KEY_ID_PATTERN.test(keyId)) throw new SecretKeyError(`HAVEN_SECRET_KEY entry ${index + 1}: bad key id`);
    if (key.length !== KEY_BYTES) {
      throw new SecretKeyError(`HAVEN_SECRET_KEY key "${keyId}" must decode to ${KEY_BYTES} bytes, got ${key.length}`);
    }
    if (keys.has(keyId)) throw new SecretKeyError(`HAVEN_SECRET_KEY lists key "${keyId}" twice`);
    keys.set(keyId, key);
    currentKeyId ??= keyId;
  }
  return { currentKeyId: currentKeyId as string, keys };
}

/** A fresh key entry for HAVEN_SECRET_KEY (used by the local stack and tests). */
export function generateKeyEntry(keyId: string): string {
  return `${keyId}:${randomBytes(KEY_BYTES).toString('base64')}`;
}

export function encryptSecret(keyring: SecretKeyring, plaintext: string, context: string): string {
  const key = keyring.keys.get(keyring.currentKeyId) as Buffer;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [ENVELOPE_VERSION, keyring.currentKeyId, iv.toString('base64url'), tag.toString('base64url'), ciphertext.toString('base64url')].join('.');
}

export function decryptSecret(keyring: SecretKeyring, envelope: string, context: string): string {
  const parts = envelope.split('.');
  const [version, keyId, iv, tag, ciphertext] = parts;
  if (parts.length !== 5 || version !== ENVELOPE_VERSION || !keyId || !iv || !tag || ciphertext === undefined) {
    throw new SecretKeyError('not a Haven secret envelope');
  }
  const key = keyring.keys.get(keyId);
  if (!key) throw new SecretKeyError(`secret was encrypted with key "${keyId}", which HAVEN_SECRET_KEY no longer lists`);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
}

/** True when the envelope was written with a key other than the current one (rotation pending). */
export function needsReencryption(keyring: SecretKeyring, envelope: string): boolean {
  return envelope.split('.')[1] !== keyring.currentKeyId;
}
