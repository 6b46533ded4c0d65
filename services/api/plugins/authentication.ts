import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { apiKeys, users } from '../../../lib/db/schema/index.js';
import type { Role } from '../../../lib/common/enums.js';
import { Problem } from '../../../lib/common/problem.js';
import { hashSecretToken } from '../../../lib/common/secret-tokens.js';
import { defaultRequiredRole, lowerRole, roleAllows } from '../auth/roles.js';
import type { ApiContext } from '../context.js';
import { TenantScope } from '../../../lib/db/tenant-scope.js';

export interface Principal {
  orgId: string;
  apiKeyId: string;
  /** The key's user; null for a key made before users existed. */
  userId: string | null;
  /** Effective role: the key's own role capped by its user's. */
  role: Role;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
    /** The authenticated organization's data; the only handle routes use to reach tenant records. */
    tenant: TenantScope;
  }
  interface FastifyContextConfig {
    /** Overrides the method's default (GET viewer, other methods operator). */
    requiredRole?: Role;
  }
}

/** Writing last_used_at on every request would make reads write; once a minute is enough. */
const LAST_USED_RESOLUTION = sql`interval '1 minute'`;

/** Authenticates every request in the encapsulating scope and binds its tenant scope. */
export function installAuthentication(app: FastifyInstance, context: ApiContext): void {
  app.decorateRequest('principal', null as unknown as Principal);
  app.decorateRequest('tenant', null as unknown as TenantScope);

  // Requests here are paid for by their API key (plugins/rate-limits.ts), a failed authentication by its
  // address: guessing keys costs the guesser, never the tenant whose key it is.
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, limitedBy: 'api-key' };
  });

  app.addHook('onRequest', async (request, reply) => {
    const principal = await authenticate(request, context).catch(async (error: unknown) => {
      await app.requestLimits.countAddress(request, reply);
      throw error;
    });
    await app.requestLimits.countKey(request, reply, principal);
    const required = request.routeOptions.config.requiredRole ?? defaultRequiredRole(request.method);
    if (!roleAllows(principal.role, required)) {
      throw new Problem('forbidden', `this needs the ${required} role; the API key has ${principal.role}`);
    }
    request.principal = principal;
    request.tenant = new TenantScope(context.db, principal.orgId, context.clock);
  });
}

async function authenticate(request: FastifyRequest, context: ApiContext): Promise<Principal> {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match) throw new Problem('unauthenticated', 'send "Authorization: Bearer <api key>"');
  // The user is read with the key on every request, so disabling a user or lowering its role
  // takes effect on that user's very next request.
  const [key] = await context.db
    .select({ id: apiKeys.id, orgId: apiKeys.orgId, role: apiKeys.role, userId: apiKeys.userId, userRole: users.role, userDisabled: users.disabled })
    .from(apiKeys)
    .leftJoin(users, and(eq(users.orgId, apiKeys.orgId), eq(users.id, apiKeys.userId)))
    .where(eq(apiKeys.keyHash, hashSecretToken(match[1] as string)))
    .limit(1);
  if (!key) throw new Problem('unauthenticated', 'the API key is not valid (it may have been deleted)');
  if (key.userId !== null && (key.userDisabled ?? true)) {
    throw new Problem('unauthenticated', 'the API key belongs to a disabled user');
  }
  await context.db
    .update(apiKeys)
    .set({ lastUsedAt: context.clock.now() })
    .where(and(eq(apiKeys.id, key.id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, sql`now() - ${LAST_USED_RESOLUTION}`))));
  const role = key.userRole ? lowerRole(key.role, key.userRole) : key.role;
  return { orgId: key.orgId, apiKeyId: key.id, userId: key.userId, role };
}
