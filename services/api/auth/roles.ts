import type { Role } from '../../../lib/common/enums.js';
import { Problem } from '../../../lib/common/problem.js';

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export function roleAllows(granted: Role, required: Role): boolean {
  return RANK[granted] >= RANK[required];
}

/** Reads need viewer, changes need operator, unless a route asks for more. */
export function defaultRequiredRole(method: string): Role {
  return method === 'GET' || method === 'HEAD' ? 'viewer' : 'operator';
}

/** The lower of two roles: a key never grants more than its user has. */
export function lowerRole(a: Role, b: Role): Role {
  return RANK[a] <= RANK[b] ? a : b;
}

/**
 * Refuses a change that takes a protection away unless the caller is an admin: `change` says why it
 * needs admin (undefined: it does not). 403 `forbidden` naming the reason and the caller's role.
 */
export function requireAdminTo(granted: Role, change: string | undefined): void {
  if (change === undefined || roleAllows(granted, 'admin')) return;
  throw new Problem('forbidden', `this needs the admin role because ${change}; the API key has ${granted}`);
}
