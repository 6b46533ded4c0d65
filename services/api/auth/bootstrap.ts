import { sql } from 'drizzle-orm';
import type { Database, Executor } from '../../../lib/db/client.js';
import { apiKeys, organizations, users } from '../../../lib/db/schema/index.js';
import type { Role } from '../../../lib/common/enums.js';
import { hashSecretToken, tokenHint } from '../../../lib/common/secret-tokens.js';

const BOOTSTRAP_LOCK_ID = 727_002;
export const DEFAULT_ORGANIZATION_NAME = 'Default';
/** The first user of a bootstrapped organization; rename it with PUT /api/v1/users/{id}. */
export const BOOTSTRAP_USER_EMAIL = 'admin@haven.local';
export const BOOTSTRAP_USER_DISPLAY_NAME = 'Administrator';

/**
 * Creates an organization, its first user (with the key's role) and that user's first key from a
 * given key value (bootstrap and tests).
 */
export async function createOrganizationWithKey(
  executor: Executor,
  options: { organizationName: string; keyName: string; key: string; role: Role; userEmail?: string; userDisplayName?: string },
): Promise<{ orgId: string; userId: string; apiKeyId: string }> {
  const [org] = await executor.insert(organizations).values({ name: options.organizationName }).returning({ id: organizations.id });
  const orgId = (org as { id: string }).id;
  const [user] = await executor
    .insert(users)
    .values({
      orgId,
      email: options.userEmail ?? BOOTSTRAP_USER_EMAIL,
      displayName: options.userDisplayName ?? BOOTSTRAP_USER_DISPLAY_NAME,
      role: options.role,
    })
    .returning({ id: users.id });
  const userId = (user as { id: string }).id;
  const [key] = await executor
    .insert(apiKeys)
    .values({ orgId, userId, name: options.keyName, role: options.role, keyHash: hashSecretToken(options.key), keyHint: tokenHint(options.key) })
    .returning({ id: apiKeys.id });
  return { orgId, userId, apiKeyId: (key as { id: string }).id };
}

/**
 * On an empty database, creates the first organization, an admin user and that user's admin key equal
 * to `bootstrapKey`.
 * Serialized with an advisory lock so two replicas starting together create one organization.
 */
export async function bootstrapFirstOrganization(db: Database, bootstrapKey: string): Promise<'created' | 'skipped'> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${BOOTSTRAP_LOCK_ID})`);
    const existing = await tx.select({ id: organizations.id }).from(organizations).limit(1);
    if (existing.length > 0) return 'skipped';
    await createOrganizationWithKey(tx, {
      organizationName: DEFAULT_ORGANIZATION_NAME,
      keyName: 'bootstrap',
      key: bootstrapKey,
      role: 'admin',
    });
    return 'created';
  });
}
