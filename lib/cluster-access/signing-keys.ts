import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { SecretKeyring } from '../common/secrets.js';

/**
 * What the gateway signs (mover tokens, task tokens it hands to clusters) is signed with keys derived
 * from the installation key (HAVEN_PAYLOAD_KEY), one per purpose, so no second secret has to be
 * distributed. Only the control plane (API, worker, gateway) holds the installation key; no cluster
 * does. Only the current key signs and verifies: an older key may have left the control plane (before
 * the gateway, every agent held it), so a token under it is refused. Rotating the key therefore
 * invalidates outstanding tokens; rotate with no run in progress (docs/upgrading.md).
 */
export type SigningPurpose = 'mover-token' | 'task-token';

export class SigningKeys {
  private readonly derived = new Map<string, Buffer>();

  constructor(
    private readonly keyring: SecretKeyring,
    private readonly purpose: SigningPurpose,
  ) {}

  get currentKeyId(): string {
    return this.keyring.currentKeyId;
  }

  /** HMAC-SHA256 of `parts` under key `keyId`; undefined when the keyring no longer lists it. */
  mac(keyId: string, ...parts: (string | Uint8Array)[]): Buffer | undefined {
    const key = this.key(keyId);
    if (!key) return undefined;
    const hmac = createHmac('sha256', key);
    // Length-prefixed, so no two different part lists hash the same bytes.
    for (const part of parts) {
      const bytes = typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.length);
      hmac.update(length).update(bytes);
    }
    return hmac.digest();
  }

  verify(keyId: string, mac: Uint8Array, ...parts: (string | Uint8Array)[]): boolean {
    if (keyId !== this.currentKeyId) return false;
    const expected = this.mac(keyId, ...parts);
    return expected !== undefined && expected.length === mac.length && timingSafeEqual(expected, mac);
  }

  private key(keyId: string): Buffer | undefined {
    let key = this.derived.get(keyId);
    if (!key) {
      const root = this.keyring.keys.get(keyId);
      if (!root) return undefined;
      key = Buffer.from(hkdfSync('sha256', root, Buffer.alloc(0), `haven ${this.purpose}`, 32));
      this.derived.set(keyId, key);
    }
    return key;
  }
}
