import type { SecretKeyring } from '../common/secrets.js';
import { SigningKeys } from './signing-keys.js';

/**
 * A mover pod's credential: it lets the pod poll its own queue (`mover.<cluster>.<job>.<n>`) and finish
 * the tasks handed to it, nothing else. Minted by the control worker for each pod, carried to the pod
 * in its per-job Secret, checked by the gateway. It expires after MOVER_TOKEN_LIFETIME_MS and, before
 * that, dies with its job: the gateway refuses it once the job is no longer running.
 */
export interface MoverTokenClaims {
  clusterId: string;
  jobId: string;
  taskQueue: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

/** Longer than any copy should take; the job's end revokes it much sooner in practice. */
export const MOVER_TOKEN_LIFETIME_MS = 48 * 60 * 60 * 1000;

const PREFIX = 'hmv1';

export function mintMoverToken(keyring: SecretKeyring, claims: MoverTokenClaims): string {
  const keys = new SigningKeys(keyring, 'mover-token');
  const body = Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url');
  const mac = keys.mac(keys.currentKeyId, PREFIX, body) as Buffer;
  return [PREFIX, keys.currentKeyId, body, mac.toString('base64url')].join('.');
}

/** True for a string shaped like a mover token (agents' tokens are not). */
export function looksLikeMoverToken(token: string): boolean {
  return token.startsWith(`${PREFIX}.`);
}

/** The claims of a token whose signature holds and that has not expired at `now`; undefined otherwise. */
export function verifyMoverToken(keyring: SecretKeyring, token: string, now: number): MoverTokenClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 4 || parts[0] !== PREFIX) return undefined;
  const [, keyId, body, mac] = parts as [string, string, string, string];
  if (!new SigningKeys(keyring, 'mover-token').verify(keyId, Buffer.from(mac, 'base64url'), PREFIX, body)) return undefined;
  let claims: MoverTokenClaims;
  try {
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as MoverTokenClaims;
  } catch {
    return undefined;
  }
  if (typeof claims.expiresAt !== 'number' || claims.expiresAt <= now) return undefined;
  if (typeof claims.taskQueue !== 'string' || !claims.taskQueue.startsWith(`mover.${claims.clusterId}.${claims.jobId}.`)) return undefined;
  return claims;
}
