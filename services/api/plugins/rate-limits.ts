import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { CreateRateLimitOptions } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isIPv6 } from 'node:net';
import { Problem } from '../../../lib/common/problem.js';
import type { RateLimitSettings } from '../config.js';
import { WindowCounters } from './window-counters.js';

/**
 * Clients each budget counts on a counter of their own (plugins/window-counters.ts): past this many running
 * windows, new clients share one counter until a window ends. Keys, organizations and addresses have
 * separate tables, so a flood of addresses cannot crowd an API key's or an organization's count.
 */
export const TRACKED_CLIENTS_PER_BUDGET = 10_000;

/**
 * An IPv6 client is its /64: one host is handed a whole /64 and can rotate through it at will. An
 * IPv4 address written as IPv6 (::ffff:a.b.c.d) is that IPv4 address.
 */
export const IPV6_CLIENT_PREFIX = 64;

/** Who pays for a request: its API key (counted by authentication), its client address (the default), or nobody. */
export type RequestPayer = 'api-key' | 'address' | 'none';

/** What authentication knows of a request's payer. */
export interface KeyHolder {
  apiKeyId: string;
  orgId: string;
}

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
  /** Counts the request against the API key's budget, then its organization's: 429 rate-limited once either is spent. */
  countKey(request: FastifyRequest, reply: FastifyReply, holder: KeyHolder): Promise<void>;
  /** Counts the request against its client address's budget: 429 rate-limited once it is spent. */
  countAddress(request: FastifyRequest, reply: FastifyReply): Promise<void>;
}

/** The address budget's key: the address, an IPv6 one widened to its /64. */
export function clientOf(request: FastifyRequest): string {
  const client = normalizeIP(request.ip, IPV6_CLIENT_PREFIX);
  return isIPv6(client) ? `${client}/${IPV6_CLIENT_PREFIX}` : client;
}

/**
 * Request budgets (@fastify/rate-limit with in-memory counters, per API process). A request an organization
 * key answers for is counted against that key and against its organization, never against its address:
 * tenants behind one NAT do not share a budget, one tenant spending its own cannot slow another, and a
 * tenant minting keys gains nothing past its organization's budget. Everything else (failed
 * authentication, installation administration, the OpenAPI document, unknown routes) is counted against
 * the client address. Installs `app.requestLimits` and the hook that charges addresses.
 */
export async function installRateLimits(app: FastifyInstance, settings: RateLimitSettings): Promise<void> {
  await app.register(rateLimit, { global: false, store: WindowCounters });
  const budget = (max: number, keyGenerator: (request: FastifyRequest) => string) => {
    const options: CreateRateLimitOptions & { cache: number } = {
      max,
      timeWindow: settings.windowSeconds * 1000,
      keyGenerator,
      cache: TRACKED_CLIENTS_PER_BUDGET,
    };
    return app.createRateLimit(options);
  };
  const holderOf = new WeakMap<FastifyRequest, KeyHolder>();
  const perKey = budget(settings.perKey, (request) => holderOf.get(request)!.apiKeyId);
  const perOrganization = budget(settings.perOrganization, (request) => holderOf.get(request)!.orgId);
  const perAddress = budget(settings.perAddress, clientOf);

  /** Counts one request; once the budget is spent, a 429 with Retry-After saying whose budget it was. */
  async function charge(limiter: typeof perKey, request: FastifyRequest, reply: FastifyReply, whose: string): Promise<void> {
    const state = await limiter(request);
    if (state.isAllowed || !state.isExceeded) return;
    reply.header('retry-after', String(state.ttlInSeconds));
    throw new Problem('rate-limited', `${whose} made more than ${state.max} requests in ${settings.windowSeconds} s; retry in ${state.ttlInSeconds} s`);
  }

  const limits: RequestLimits = {
    async countKey(request, reply, holder) {
      holderOf.set(request, holder);
      // The key first: a key refused on its own budget does not go on to spend its organization's, so one
      // runaway client of a tenant does not lock out the tenant's other keys.
      await charge(perKey, request, reply, 'this API key');
      await charge(perOrganization, request, reply, "this API key's organization (all its keys together)");
    },
    countAddress: (request, reply) => charge(perAddress, request, reply, `client ${clientOf(request)} (without a valid API key)`),
  };
  app.decorate('requestLimits', limits);

  app.addHook('onRequest', async (request, reply) => {
    if ((request.routeOptions.config.limitedBy ?? 'address') === 'address') await limits.countAddress(request, reply);
  });
}
