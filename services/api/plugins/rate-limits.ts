import rateLimit from '@fastify/rate-limit';
import type { CreateRateLimitOptions } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Problem } from '../../../lib/common/problem.js';
import type { RateLimitSettings } from '../config.js';

/**
 * Counters each budget keeps (least recently seen forgotten first). Keys and addresses have separate
 * counters, so a flood from many addresses cannot push an API key's count out and reset its budget.
 */
export const TRACKED_CLIENTS_PER_BUDGET = 10_000;

/** Who pays for a request: its API key (counted by authentication), its client address (the default), or nobody. */
export type RequestPayer = 'api-key' | 'address' | 'none';

declare module 'fastify' {
  interface FastifyInstance {
    requestLimits: RequestLimits;
  }
  interface FastifyContextConfig {
    /** Defaults to the client address; authentication marks its routes `api-key`; probes are `none`. */
    limitedBy?: RequestPayer;
  }
}

export interface RequestLimits {
  /** Counts the request against the API key's budget: 429 rate-limited once it is spent. */
  countKey(request: FastifyRequest, reply: FastifyReply, apiKeyId: string): Promise<void>;
  /** Counts the request against its client address's budget: 429 rate-limited once it is spent. */
  countAddress(request: FastifyRequest, reply: FastifyReply): Promise<void>;
}

/**
 * Request budgets (@fastify/rate-limit's in-memory counters, per API process). A request an organization
 * key answers for is counted against that key only, never against its address: tenants behind one NAT
 * do not share a budget, and one tenant spending its own cannot slow another. Everything else (failed
 * authentication, installation administration, the OpenAPI document, unknown routes) is counted against
 * the client address. Installs `app.requestLimits` and the hook that charges addresses.
 */
export async function installRateLimits(app: FastifyInstance, settings: RateLimitSettings): Promise<void> {
  await app.register(rateLimit, { global: false });
  const budget = (max: number, keyGenerator: (request: FastifyRequest) => string) => {
    const options: CreateRateLimitOptions & { cache: number } = {
      max,
      timeWindow: settings.windowSeconds * 1000,
      keyGenerator,
      cache: TRACKED_CLIENTS_PER_BUDGET,
    };
    return app.createRateLimit(options);
  };
  const keyOfRequest = new WeakMap<FastifyRequest, string>();
  const perKey = budget(settings.perKey, (request) => keyOfRequest.get(request) as string);
  const perAddress = budget(settings.perAddress, (request) => request.ip);

  async function charge(limiter: typeof perKey, request: FastifyRequest, reply: FastifyReply, whose: string): Promise<void> {
    const state = await limiter(request);
    if (state.isAllowed || !state.isExceeded) return;
    reply.header('retry-after', String(state.ttlInSeconds));
    throw new Problem('rate-limited', `${whose} made more than ${state.max} requests in ${settings.windowSeconds} s; retry in ${state.ttlInSeconds} s`);
  }

  const limits: RequestLimits = {
    async countKey(request, reply, apiKeyId) {
      keyOfRequest.set(request, apiKeyId);
      await charge(perKey, request, reply, 'this API key');
    },
    countAddress: (request, reply) => charge(perAddress, request, reply, `address ${request.ip} (without a valid API key)`),
  };
  app.decorate('requestLimits', limits);

  app.addHook('onRequest', async (request, reply) => {
    if ((request.routeOptions.config.limitedBy ?? 'address') === 'address') await limits.countAddress(request, reply);
  });
}
