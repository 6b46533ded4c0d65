import { Problem } from '../../../lib/common/problem.js';

/** Postgres SQLSTATEs the API maps (https://www.postgresql.org/docs/current/errcodes-appendix.html). */
const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';
/** A NUL character (U+0000) in text (22021) or in a jsonb string (22P05): Postgres cannot store either. */
const NUL_IN_TEXT = ['22021', '22P05'];

interface PgError {
  code?: string;
  constraint?: string;
}

/**
 * Constraint violations that slip past the API's own checks (two requests racing), and text Postgres
 * cannot store, still answer a client error, never a 500.
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
  if (NUL_IN_TEXT.includes(pgError.code ?? '')) {
    // The OpenAPI document states the rule on every string (http/document-rules.ts); Postgres enforces it.
    return new Problem('validation-failed', 'text must not contain the NUL character (U+0000)', {
      errors: [{ field: 'request', reason: 'contains the NUL character (U+0000)' }],
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
