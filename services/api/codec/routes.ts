import type { FastifyInstance } from 'fastify';
import { EncryptionCodec } from '../../../lib/common/temporal/payload-codec.js';
import { Problem } from '../../../lib/common/problem.js';
import type { ApiContext } from '../context.js';
import { installAuthentication } from '../plugins/authentication.js';
import { errorResponses } from '../http/problem-schema.js';
import type { TypeBoxProvider } from '../http/type-provider.js';
import { allowTemporalUiOrigin } from './cors.js';
import { CodecBody, fromJson, toJson } from './payload-json.js';

export const CODEC_PREFIX = '/codec';

/**
 * The Temporal remote codec endpoint (`POST <prefix>/decode`, `/encode`): lets the Temporal UI and CLI
 * show the payloads Haven encrypts. Decrypted payloads reveal run inputs, so only operators and admins
 * may call it; the preflight alone is open, for the Temporal UI's origin only.
 */
export function codecRoutes(context: ApiContext) {
  return async (scope: FastifyInstance) => {
    const app = scope.withTypeProvider<TypeBoxProvider>();
    allowTemporalUiOrigin(app, context.temporal.uiUrl);
    installAuthentication(app, context);
    const codec = context.payloadKeyring ? new EncryptionCodec(context.payloadKeyring) : undefined;

    for (const direction of ['decode', 'encode'] as const) {
      // Only reached by a preflight from another origin, which the CORS hook did not answer.
      app.options(`/${direction}`, { schema: { hide: true } }, async () => {
        throw new Problem('forbidden', 'cross-origin requests are only accepted from the Temporal UI (TEMPORAL_UI_URL)');
      });
      app.post(
        `/${direction}`,
        {
          config: { requiredRole: 'operator' },
          schema: {
            tags: ['codec'],
            summary: direction === 'decode' ? 'Decrypt Temporal payloads for the Temporal UI or CLI' : 'Encrypt Temporal payloads (Temporal UI signal and query input)',
            body: CodecBody,
            response: { 200: CodecBody, ...errorResponses('workflows-unavailable') },
          },
        },
        async (request) => {
          if (!codec) throw new Problem('workflows-unavailable', 'HAVEN_PAYLOAD_KEY is not configured for the API, so it cannot read or write Temporal payloads');
          const payloads = request.body.payloads.map(fromJson);
          const result = direction === 'decode' ? await codec.decode(payloads) : await codec.encode(payloads);
          return { payloads: result.map(toJson) };
        },
      );
    }
  };
}
