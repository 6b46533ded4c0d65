import { Problem } from '../../../lib/common/problem.js';

/** Postgres SQLSTATEs the API maps (https://www.postgresql.org/docs/current/errcodes-appendix.html). */
const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';

interface PgError {
  code?: string;
  constraint?: string;
}

/**
 * Constraint violations that slip past the API's own checks (two requests racing) still answer a
 * client error naming the field, never a 500.
 */
export function problemFromDatabaseError(error: unknown): Problem | undefined {
  const pgError = findPgError(error);
  if (!pgError) return undefined;
  const constraint = pgError.constraint ?? '';
  if (pgError.code === UNIQUE_VIOLATION && constraint.endsWith('_name_unique')) {
    return new Problem('name-taken', 'another record of this kind already has that name', {
      errors: [{ field: 'body.name', reason: 'is already used in this organization' }],
    });
  }
  if (pgError.code === UNIQUE_VIOLATION) return new Problem('conflict', 'the change conflicts with a concurrent one; retry');
  if (pgError.code === FOREIGN_KEY_VIOLATION) {
    return new Problem('conflict', `the change conflicts with a concurrent change to a referenced record (${constraint}); read again and retry`);
  }
  return undefined;
}

function findPgError(error: unknown): PgError | undefined {
  // drizzle wraps driver errors in DrizzleQueryError with the pg error as `cause`.
  for (let current = error as { cause?: unknown } | undefined, depth = 0; current && depth < 3; depth++) {
    const candidate = current as PgError;
    if (typeof candidate.code === 'string' && /^[0-9A-Z]{5}$/.test(candidate.code)) return candidate;
    current = current.cause as { cause?: unknown } | undefined;
  }
  return undefined;
}
