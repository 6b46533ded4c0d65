import { asc, eq, ne, sql } from 'drizzle-orm';
import { users } from '../../../../lib/db/schema/index.js';
import { Problem } from '../../../../lib/common/problem.js';
import type { TenantScope } from '../../../../lib/db/tenant-scope.js';

type UserRow = typeof users.$inferSelect;

/** An enabled admin: the kind of user an organization must always keep at least one of. */
export function isActiveAdmin(user: Pick<UserRow, 'role' | 'disabled'>): boolean {
  return user.role === 'admin' && !user.disabled;
}

/**
 * Locks the organization's active admins (in id order, so concurrent callers queue instead of
 * deadlocking) for the rest of the transaction and returns their ids. Two admins demoting each
 * other at the same time therefore see each other's change: one of them gets the 409.
 */
export async function lockActiveAdmins(scope: TenantScope): Promise<string[]> {
  const rows = await scope.executor
    .select({ id: users.id })
    .from(users)
    .where(scope.owns(users, eq(users.role, 'admin'), eq(users.disabled, false)))
    .orderBy(asc(users.id))
    .for('update');
  return rows.map((row) => row.id);
}

/** Refuses a change that would leave the organization without an enabled admin. */
export function refuseLosingLastAdmin(
  activeAdminIds: string[],
  user: UserRow,
  after: Pick<UserRow, 'role' | 'disabled'> | 'deleted',
): void {
  if (!isActiveAdmin(user)) return;
  if (after !== 'deleted' && isActiveAdmin(after)) return;
  if (activeAdminIds.some((id) => id !== user.id)) return;
  const change = after === 'deleted' ? 'delete' : after.disabled ? 'disable' : 'demote';
  const field = after === 'deleted' ? undefined : after.disabled ? 'body.disabled' : 'body.role';
  throw new Problem('conflict', `cannot ${change} ${user.email}: it is the last active admin of the organization; make another user admin first`, {
    ...(field ? { errors: [{ field, reason: 'would leave the organization without an active admin' }] } : {}),
  });
}

/** Emails are unique in an organization regardless of case. */
export async function refuseTakenEmail(scope: TenantScope, email: string, exceptId?: string): Promise<void> {
  const [clash] = await scope.executor
    .select({ id: users.id })
    .from(users)
    .where(scope.owns(users, sql`lower(${users.email}) = lower(${email})`, exceptId === undefined ? undefined : ne(users.id, exceptId)))
    .limit(1);
  if (clash) {
    throw new Problem('conflict', `another user of this organization already has the email ${email}`, {
      errors: [{ field: 'body.email', reason: 'is already used in this organization (compared case-insensitively)' }],
    });
  }
}

