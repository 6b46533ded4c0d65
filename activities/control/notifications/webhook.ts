import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { EndpointNetworks } from '../../../lib/common/storage-access/endpoints.js';
import { SIGNATURE_HEADER, signWebhook } from '../../../lib/common/webhook-signature.js';

/** What one attempt came to; `error` is fit for the tenant's delivery log. */
export interface SendResult {
  ok: boolean;
  responseStatus?: number;
  error?: string;
}

export interface WebhookRequest {
  url: string;
  secret: string;
  body: string;
  event: string;
  deliveryId: string;
  now: Date;
  timeoutMs: number;
}

/**
 * One signed POST. Connections resolve through `networks.lookup`, so the address dialled is the one
 * checked (no DNS rebinding past the check), and redirects are not followed: a redirect to an internal
 * address would otherwise undo the check. 2xx is delivered; anything else is retried by the caller.
 */
export function sendWebhook(networks: EndpointNetworks, webhook: WebhookRequest): Promise<SendResult> {
  const url = new URL(webhook.url);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const timestamp = Math.floor(webhook.now.getTime() / 1000);
  return new Promise((resolve) => {
    const outgoing = request(
      url,
      {
        method: 'POST',
        lookup: networks.lookup,
        timeout: webhook.timeoutMs,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(webhook.body),
          'user-agent': 'Haven-Webhook/1',
          'x-haven-event': webhook.event,
          'x-haven-delivery': webhook.deliveryId,
          [SIGNATURE_HEADER]: signWebhook(webhook.secret, webhook.body, timestamp),
        },
      },
      (response) => {
        // The answer's body is not used; reading it frees the socket.
        response.resume();
        const status = response.statusCode ?? 0;
        resolve(status >= 200 && status < 300 ? { ok: true, responseStatus: status } : { ok: false, responseStatus: status, error: `the endpoint answered HTTP ${status}` });
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${webhook.timeoutMs} ms`)));
    outgoing.on('error', (error) => resolve({ ok: false, error: error.message }));
    outgoing.end(webhook.body);
  });
}
