import { sql } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.js';
import { apiKeys, organizations } from '../../db/schema/index.js';
import type { Role } from '../../common/enums.js';
import { hashSecretToken, tokenHint } from './api-key-secret.js';

const BOOTSTRAP_LOCK_ID = 727_002;
export const DEFAULT_ORGANIZATION_NAME = 'Default';

/** Creates an organization and its first key from a given key value (bootstrap and tests). */
export async function createOrganizationWithKey(
  executor: Executor,
  options: { organizationName: string; keyName: string; key: string; role: Role },
): Promise<{ orgId: string; apiKeyId: string }> {
  const [org] = await executor.insert(organizations).values({ name: options.organizationName }).returning({ id: organizations.id });
  const orgId = (org as { id: string }).id;
  const [key] = await executor
    .insert(apiKeys)
    .values({ orgId, name: options.keyName, role: options.role, keyHash: hashSecretToken(options.key), keyHint: tokenHint(options.key) })
    .returning({ id: apiKeys.id });
  return { orgId, apiKeyId: (key as { id: string }).id };
}

/**
 * On an empty database, creates the first organization and an admin key equal to `bootstrapKey`.
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
