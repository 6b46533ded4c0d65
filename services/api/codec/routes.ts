import type { FastifyInstance } from 'fastify';
import { EncryptionCodec, isSealed, sealedKeyId } from '../../../lib/common/temporal/payload-codec.js';
import { organizationOfKeyId } from '../../../lib/db/organization-payload-keys.js';
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
 * show the payloads Haven encrypts. It works only with the caller's own organization's keys: decoding a
 * payload sealed with another organization's key (or the installation's) is refused with 403 and no
 * content, and encoding seals with the caller's organization's key, so nothing made here can pass for
 * another organization's payload. Decrypted payloads reveal run inputs, so only operators and admins may
 * call it; the preflight alone is open, for the Temporal UI's origin only.
 */
export function codecRoutes(context: ApiContext) {
  return async (scope: FastifyInstance) => {
    const app = scope.withTypeProvider<TypeBoxProvider>();
    allowTemporalUiOrigin(app, context.temporal.uiUrl);
    installAuthentication(app, context);
    const keys = context.payloadKeys;

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
            operationId: `${direction}Payloads`,
            summary:
              direction === 'decode'
                ? 'Decrypt Temporal payloads of your organization\'s runs for the Temporal UI or CLI'
                : 'Encrypt Temporal payloads with your organization\'s key (Temporal UI signal and query input)',
            body: CodecBody,
            response: { 200: CodecBody, ...errorResponses('workflows-unavailable', 'forbidden') },
          },
        },
        async (request) => {
          if (!keys) throw new Problem('workflows-unavailable', 'HAVEN_PAYLOAD_KEY is not configured for the API, so it cannot read or write Temporal payloads');
          const orgId = request.principal.orgId;
          const own = keys.forOrganization(orgId);
          const payloads = request.body.payloads.map(fromJson);
          if (direction === 'encode') return { payloads: (await new EncryptionCodec(own).encode(payloads)).map(toJson) };
          const foreign = payloads.find((payload) => isSealed(payload) && organizationOfKeyId(sealedKeyId(payload)) !== orgId);
          if (foreign) throw new Problem('forbidden', 'a payload is not sealed with a key of your organization');
          return { payloads: (await new EncryptionCodec(own).decode(payloads)).map(toJson) };
        },
      );
    }
  };
}
