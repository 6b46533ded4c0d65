import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec, SerializationContext } from '@temporalio/common';
import proto from '@temporalio/proto';
import type { SecretKeyring } from '../secrets.js';

// A CommonJS package: Node's ESM loader cannot see its named exports (tsx and vitest can, which hides it).
const { temporal } = proto;

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

export interface PayloadKey {
  id: string;
  key: Buffer;
}

/**
 * Which key seals a payload and which keys open one. The installation's own keys seal what belongs to
 * no organization; an organization's keys (lib/db/organization-payload-keys.ts) seal its runs' payloads,
 * chosen from the workflow the payload belongs to.
 */
export interface PayloadKeySource {
  encryptionKey(context?: SerializationContext): Promise<PayloadKey>;
  /** Undefined when the id names no key this source knows. */
  decryptionKey(id: string): Promise<Buffer | undefined>;
}

/** Only HAVEN_PAYLOAD_KEY: every payload under the installation key. */
export function installationPayloadKeys(keyring: SecretKeyring): PayloadKeySource {
  return {
    encryptionKey: async () => ({ id: keyring.currentKeyId, key: keyring.keys.get(keyring.currentKeyId) as Buffer }),
    decryptionKey: async (id) => keyring.keys.get(id),
  };
}

export function isSealed(payload: Payload): boolean {
  const encoding = payload.metadata?.encoding;
  return encoding !== undefined && encoding !== null && decoder.decode(encoding) === ENCRYPTED_ENCODING;
}

/** The key id a sealed payload names ('' when it names none). */
export function sealedKeyId(payload: Payload): string {
  const keyIdBytes = payload.metadata?.[KEY_ID_METADATA];
  return keyIdBytes ? decoder.decode(keyIdBytes) : '';
}

/**
 * AES-256-GCM over the whole payload (metadata and data); only the encoding marker and the key id stay
 * visible. The key id is the GCM associated data, so a payload cannot be relabelled with another key.
 */
export function sealPayload(payload: Payload, key: PayloadKey): Payload {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key.key, iv);
  cipher.setAAD(Buffer.from(key.id, 'utf8'));
  const plain = temporal.api.common.v1.Payload.encode(payload).finish();
  const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  return { metadata: { encoding: encoder.encode(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: encoder.encode(key.id) }, data: sealed };
}

export function openPayload(payload: Payload, key: Buffer): Payload {
  const sealed = Buffer.from(payload.data ?? new Uint8Array());
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(sealedKeyId(payload), 'utf8'));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  const plain = Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
  return temporal.api.common.v1.Payload.decode(plain);
}

/**
 * Encrypts every Temporal payload (workflow inputs, activity inputs and results, query answers, failure
 * attributes) before it leaves the process, so Temporal's history never holds storage credentials or
 * repository secrets in clear. Rotation: a new key seals from then on; old payloads still open while
 * their key is known.
 */
export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly keys: PayloadKeySource) {}

  async encode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
    if (payloads.length === 0) return payloads;
    const key = await this.keys.encryptionKey(context);
    return payloads.map((payload) => sealPayload(payload, key));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(
      payloads.map(async (payload) => {
        if (!isSealed(payload)) return payload;
        const keyId = sealedKeyId(payload);
        const key = await this.keys.decryptionKey(keyId);
        if (!key) throw new PayloadKeyError(`payload was encrypted with key "${keyId}", which this installation does not hold`);
        return openPayload(payload, key);
      }),
    );
  }
}
