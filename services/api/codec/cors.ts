import type { FastifyInstance } from 'fastify';

/**
 * CORS for the Temporal UI, which calls the codec endpoint from the browser: only its origin is
 * allowed, with credentials, and a preflight is answered before authentication (a browser sends none
 * with it).
 */
export function allowTemporalUiOrigin(app: FastifyInstance, uiUrl: string): void {
  const allowed = new URL(uiUrl).origin;
  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    if (origin !== allowed) return;
    reply.header('access-control-allow-origin', origin).header('access-control-allow-credentials', 'true').header('vary', 'Origin');
    if (request.method === 'OPTIONS') {
      await reply
        .header('access-control-allow-methods', 'POST')
        .header('access-control-allow-headers', 'authorization, content-type, x-namespace')
        .header('access-control-max-age', '600')
        .code(204)
        .send();
    }
  });
}
