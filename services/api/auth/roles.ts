import type { Role } from '../../../lib/common/enums.js';

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
