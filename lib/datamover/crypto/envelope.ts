import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** AES-256-GCM envelope: nonce (12) ‖ ciphertext ‖ tag (16). */
const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
const ENVELOPE_OVERHEAD = NONCE_BYTES + TAG_BYTES;

export function seal(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(aad);
  const body = cipher.update(plaintext);
  const tail = cipher.final();
  return Buffer.concat([nonce, body, tail, cipher.getAuthTag()], NONCE_BYTES + plaintext.length + TAG_BYTES);
}

/** Returns undefined when authentication fails: callers turn that into an error naming what was opened. */
export function open(key: Uint8Array, envelope: Uint8Array, aad: Uint8Array): Buffer | undefined {
  if (envelope.length < ENVELOPE_OVERHEAD) return undefined;
  const nonce = envelope.subarray(0, NONCE_BYTES);
  const tag = envelope.subarray(envelope.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  const body = decipher.update(envelope.subarray(NONCE_BYTES, envelope.length - TAG_BYTES));
  try {
    const tail = decipher.final();
    return tail.length === 0 ? body : Buffer.concat([body, tail]);
  } catch {
    return undefined;
  }
}
