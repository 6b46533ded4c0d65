import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';

// A CommonJS package: Node's ESM loader cannot see its named exports (tsx and vitest can, which hides it).
const { temporal } = proto;
import type { SecretKeyring } from '../secrets.js';

/** Marks an encrypted payload; anything else passes through, so unencrypted history stays readable. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class PayloadKeyError extends Error {
  override name = 'PayloadKeyError';
}

/**
 * Encrypts every Temporal payload (workflow inputs, activity inputs and results, query answers) with
 * AES-256-GCM before it leaves the process, so Temporal's history never holds storage credentials or
 * repository secrets in clear. The whole payload (metadata and data) is sealed; only the encoding
 * marker and the key id stay visible. The key id is the GCM associated data, so a payload cannot be
 * relabelled with another key. Rotation: prepend a new key to HAVEN_PAYLOAD_KEY everywhere; old
 * payloads still decode while their key is listed.
 */
export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly keyring: SecretKeyring) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const keyId = this.keyring.currentKeyId;
    const key = this.keyring.keys.get(keyId) as Buffer;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(keyId, 'utf8'));
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { encoding: encoder.encode(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: encoder.encode(keyId) }, data: sealed };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.encoding;
      if (!encoding || decoder.decode(encoding) !== ENCRYPTED_ENCODING) return payload;
      const keyIdBytes = payload.metadata?.[KEY_ID_METADATA];
      const keyId = keyIdBytes ? decoder.decode(keyIdBytes) : '';
      const key = this.keyring.keys.get(keyId);
      if (!key) throw new PayloadKeyError(`payload was encrypted with key "${keyId}", which HAVEN_PAYLOAD_KEY does not list`);
      const sealed = Buffer.from(payload.data ?? new Uint8Array());
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(keyId, 'utf8'));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}
