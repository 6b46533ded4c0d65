import { Type } from '@sinclair/typebox';
import { PROBLEM_CODES, problemStatus } from '../../../lib/common/problem.js';
import { StringEnum } from '../../../lib/domain/schema-kit.js';
import type { ProblemCode } from '../../../lib/common/problem.js';

/** RFC 9457 problem details as every error response declares it. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ format: 'uri' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: StringEnum(PROBLEM_CODES, { description: 'Stable error code; the last segment of `type`.' }),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          field: Type.String({ description: 'Where the problem is, e.g. body.advanced.concurrentPvs.' }),
          reason: Type.String(),
        }),
      ),
    ),
    references: Type.Optional(
      Type.Array(Type.Object({ kind: Type.String(), id: Type.String(), name: Type.String() }), {
        description: 'For still-referenced: the records that must change first.',
      }),
    ),
  },
  { description: 'application/problem+json (RFC 9457)' },
);

/**
 * The error part of a route's `response` map. Every route can fail authentication and validation,
 * spend its caller's request budget and hit an internal error; routes add the codes specific to them.
 */
export function errorResponses(...codes: ProblemCode[]): Record<number, ProblemResponse> {
  const all: ProblemCode[] = ['validation-failed', 'unauthenticated', 'forbidden', 'internal', ...codes];
  return {
    ...Object.fromEntries(all.map((code) => [problemStatus(code), PROBLEM_RESPONSE])),
    [problemStatus('rate-limited')]: RATE_LIMITED_RESPONSE,
  };
}

/**
 * Errors are served as application/problem+json, and the document says so: a client generated from it
 * must accept that media type on every error, not application/json.
 */
const PROBLEM_RESPONSE = { description: 'Problem details (RFC 9457)', content: { 'application/problem+json': { schema: ProblemSchema } } };
type ProblemResponse = typeof PROBLEM_RESPONSE | typeof RATE_LIMITED_RESPONSE;

const RATE_LIMITED_RESPONSE = {
  ...PROBLEM_RESPONSE,
  description: 'Problem details (RFC 9457): the API key or its organization, or for requests without a valid key the client address, spent its request budget',
  headers: { 'retry-after': Type.Integer({ minimum: 0, description: 'Seconds until the budget renews.' }) },
};
