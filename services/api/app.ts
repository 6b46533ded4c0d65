import Fastify from 'fastify';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { TypeBoxProvider } from './http/type-provider.js';
import { CODEC_PREFIX, codecRoutes } from './codec/routes.js';
import { INSTALLATION_PREFIX, installationRoutes } from './installation/routes.js';
import type { ApiContext } from './context.js';
import type { RateLimitSettings } from './config.js';
import { installAuthentication } from './plugins/authentication.js';
import { installConsole } from './plugins/console.js';
import { installOpenApi } from './plugins/openapi.js';
import { installOptionalBodies } from './plugins/optional-bodies.js';
import { answerFrameworkError, installProblemReplies } from './plugins/problem-replies.js';
import { installRateLimits } from './plugins/rate-limits.js';
import { installValidators } from './plugins/validation.js';
import { resourceRoutes } from './resources/index.js';
import type { Registry } from 'prom-client';
import { installRequestMetrics } from './metrics/request-metrics.js';

export const API_PREFIX = '/api/v1';

/** Paths and headers that must never reach a log line. */
export const LOG_REDACTIONS = ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'];

export interface BuildAppOptions {
  context: ApiContext;
  rateLimits: RateLimitSettings;
  /** CIDRs of the proxies whose X-Forwarded-For is believed (config.ts `trustedProxies`); empty believes none. */
  trustedProxies?: string[];
  logger?: FastifyServerOptions['logger'];
  /** Counts requests into this registry; served on the metrics listener, never by this app (/metrics here is 404). */
  metrics?: Registry;
  /** The web console's build folder (config.ts `consoleDir`); not served when absent or empty. */
  consoleDir?: string;
}

/**
 * The API as a Fastify instance, ready for `inject()` in tests or `listen()` in main.ts. The database
 * must already be migrated; collaborators (workflow launcher, agent liveness, clock) come injected.
 */
/**
 * The router's cap on one path segment, as sent (percent-encoded). Browse paths carry Kubernetes object
 * names (up to 253 characters, each up to 12 when percent-encoded), so the cap sits above that; the
 * schemas then bound each parameter by its own rule.
 */
export const MAX_PATH_PARAM_LENGTH = 4096;

/** Request line and headers together. */
export const MAX_REQUEST_HEADER_BYTES = 64 * 1024;

export async function buildApp({ context, rateLimits, trustedProxies = [], logger = false, metrics, consoleDir }: BuildAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger,
    // Bodies are small JSON documents; a 1 MiB cap stops abuse without limiting real definitions.
    bodyLimit: 1024 * 1024,
    routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
    // A browse query names a path inside a volume (up to 4096 characters, each up to 12 percent-encoded):
    // Node's default 16 KiB header cap would refuse some valid requests before the schema sees them.
    http: { maxHeaderSize: MAX_REQUEST_HEADER_BYTES },
    // request.ip, which address budgets count by, is the peer unless the peer is a proxy the installation trusts.
    trustProxy: trustedProxies.length > 0 ? trustedProxies : false,
    frameworkErrors: answerFrameworkError,
  }).withTypeProvider<TypeBoxProvider>();

  // The API speaks JSON only; without this, a text/plain body would reach validation as a string.
  app.removeContentTypeParser('text/plain');
  if (metrics) installRequestMetrics(app, metrics);
  installValidators(app);
  installOptionalBodies(app);
  installProblemReplies(app);
  await installRateLimits(app, rateLimits);
  await installOpenApi(app);

  // Probes poll this and it touches nothing: no budget to spend.
  app.get('/healthz', { schema: { hide: true }, config: { limitedBy: 'none' } }, async () => ({ status: 'ok' }));

  await app.register(
    async (api) => {
      installAuthentication(api, context);
      await api.register(resourceRoutes(context));
    },
    { prefix: API_PREFIX },
  );

  await installConsole(app, consoleDir);

  // Its own scope and credential: organization keys authenticate nothing here.
  await app.register(installationRoutes(context), { prefix: `${API_PREFIX}${INSTALLATION_PREFIX}` });

  // Its own scope: the Temporal UI's preflight must be answered before authentication.
  await app.register(codecRoutes(context), { prefix: `${API_PREFIX}${CODEC_PREFIX}` });

  await app.ready();
  return app;
}
