import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures: `X-Haven-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
 * The timestamp is signed with the body, so a receiver that refuses old timestamps cannot be replayed to.
 */
export const SIGNATURE_HEADER = 'x-haven-signature';
/** How old a signature a receiver should accept at most; the delivery is re-signed at every attempt. */
export const DEFAULT_SIGNATURE_TOLERANCE_SECONDS = 300;

export function signWebhook(secret: string, body: string, timestampSeconds: number): string {
  const digest = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
  return `t=${timestampSeconds},v1=${digest}`;
}

/** What a receiver does: true when `header` signs `body` with `secret` within the tolerance. */
export function verifyWebhook(secret: string, body: string, header: string, nowSeconds: number, toleranceSeconds = DEFAULT_SIGNATURE_TOLERANCE_SECONDS): boolean {
  const parts = new Map(header.split(',').map((part) => part.split('=', 2) as [string, string]));
  const timestamp = Number(parts.get('t'));
  const given = parts.get('v1');
  if (!Number.isInteger(timestamp) || !given || Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhook(secret, body, timestamp).split('v1=')[1]!, 'hex');
  const actual = Buffer.from(given, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
