import type { SecretKeyring } from '../common/secrets.js';
import { SigningKeys } from './signing-keys.js';

/**
 * Temporal's task token names an activity task; whoever holds it can complete, fail or heartbeat it.
 * The gateway never hands a cluster the server's token: it hands a wrapped one, bound by a MAC to the
 * principal (cluster or mover queue) it polled for, and unwraps it only for that principal. A cluster
 * therefore cannot answer another cluster's task, nor a control-plane task, even knowing its ids.
 * Stateless, so a gateway restart (or a second gateway) keeps in-flight tasks answerable.
 */
const MAGIC = Buffer.from('hgt1', 'ascii');
const MAC_BYTES = 32;

export function wrapTaskToken(keyring: SecretKeyring, principal: string, token: Uint8Array): Buffer {
  const keys = new SigningKeys(keyring, 'task-token');
  const keyId = Buffer.from(keys.currentKeyId, 'utf8');
  const mac = keys.mac(keys.currentKeyId, principal, token) as Buffer;
  return Buffer.concat([MAGIC, Buffer.from([keyId.length]), keyId, mac, token]);
}

/** The server's token when `wrapped` was handed to `principal`; undefined for anything else. */
export function unwrapTaskToken(keyring: SecretKeyring, principal: string, wrapped: Uint8Array): Buffer | undefined {
  const bytes = Buffer.from(wrapped);
  if (bytes.length < MAGIC.length + 1 || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const keyIdLength = bytes[MAGIC.length]!;
  const keyStart = MAGIC.length + 1;
  const macStart = keyStart + keyIdLength;
  const tokenStart = macStart + MAC_BYTES;
  if (bytes.length <= tokenStart) return undefined;
  const keyId = bytes.subarray(keyStart, macStart).toString('utf8');
  const token = bytes.subarray(tokenStart);
  return new SigningKeys(keyring, 'task-token').verify(keyId, bytes.subarray(macStart, tokenStart), principal, token) ? token : undefined;
}
