import { and, eq } from 'drizzle-orm';
import type { SecretKeyring } from '../../lib/common/secrets.js';
import { hashSecretToken } from '../../lib/common/secret-tokens.js';
import { clusterPrincipal, clusterTaskQueue, moverPrincipal } from '../../lib/common/temporal/names.js';
import { looksLikeMoverToken, verifyMoverToken } from '../../lib/cluster-access/mover-token.js';
import type { Database } from '../../lib/db/client.js';
import { clusters, jobs } from '../../lib/db/schema/index.js';

/**
 * Who is calling the gateway, and the one queue it may serve: a cluster's agent (its `cluster.<id>`
 * queue) or one mover pod (its `mover.<cluster>.<job>.<n>` queue). `name` is what task tokens and
 * poller identities are bound to.
 */
export type Principal =
  | { kind: 'agent'; name: string; orgId: string; clusterId: string; taskQueue: string }
  | { kind: 'mover'; name: string; orgId: string; clusterId: string; jobId: string; taskQueue: string };

/** How long a verdict on a token is reused: a rotated token or a deleted cluster is refused within this. */
export const PRINCIPAL_CACHE_MS = 15_000;
/** Far longer than any token Haven issues; a longer one is refused unread. */
const MAX_TOKEN_LENGTH = 1024;
/** Verdicts kept; the oldest go first, so a flood of made-up tokens cannot evict every real one at once. */
const MAX_CACHED = 5_000;

/**
 * Turns a bearer token into a principal, or undefined. Agent tokens are looked up by their hash (the
 * API stores only that); mover tokens are checked by signature, then against their job, which must
 * still be running in a cluster that still exists. Verdicts are cached for PRINCIPAL_CACHE_MS so a
 * poll loop does not cost a query per call.
 */
export class PrincipalResolver {
  /** By the token's hash: the cache never holds a token itself. */
  private readonly cache = new Map<string, { principal: Principal | undefined; until: number }>();
  /** Lookups in flight, so a burst of calls with one token costs one query. */
  private readonly pending = new Map<string, Promise<Principal | undefined>>();

  constructor(
    private readonly db: Database,
    private readonly installationKeyring: SecretKeyring,
    private readonly now: () => number = Date.now,
  ) {}

  async resolve(token: string): Promise<Principal | undefined> {
    if (token.length > MAX_TOKEN_LENGTH) return undefined;
    const key = hashSecretToken(token);
    const cached = this.cache.get(key);
    if (cached && cached.until > this.now()) return cached.principal;
    let lookup = this.pending.get(key);
    if (!lookup) {
      lookup = (looksLikeMoverToken(token) ? this.mover(token) : this.agent(token)).finally(() => this.pending.delete(key));
      this.pending.set(key, lookup);
    }
    const principal = await lookup;
    this.cache.delete(key);
    while (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, { principal, until: this.now() + PRINCIPAL_CACHE_MS });
    return principal;
  }

  private async agent(token: string): Promise<Principal | undefined> {
    const [row] = await this.db.select({ id: clusters.id, orgId: clusters.orgId }).from(clusters).where(eq(clusters.agentTokenHash, hashSecretToken(token)));
    if (!row) return undefined;
    return { kind: 'agent', name: clusterPrincipal(row.id), orgId: row.orgId, clusterId: row.id, taskQueue: clusterTaskQueue(row.id) };
  }

  private async mover(token: string): Promise<Principal | undefined> {
    const claims = verifyMoverToken(this.installationKeyring, token, this.now());
    if (!claims) return undefined;
    const [row] = await this.db
      .select({ orgId: jobs.orgId, status: jobs.status })
      .from(jobs)
      .innerJoin(clusters, and(eq(clusters.id, jobs.clusterId), eq(clusters.orgId, jobs.orgId)))
      .where(and(eq(jobs.id, claims.jobId), eq(jobs.clusterId, claims.clusterId)));
    if (!row || row.status !== 'RUNNING') return undefined;
    return { kind: 'mover', name: moverPrincipal(claims.taskQueue), orgId: row.orgId, clusterId: claims.clusterId, jobId: claims.jobId, taskQueue: claims.taskQueue };
  }
}
