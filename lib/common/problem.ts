/**
 * RFC 9457 problem details and Haven's error catalogue. Every error the API returns is one of these
 * codes; the code is the last segment of `type`, stable across releases, so clients (and later the
 * workflows, as ApplicationFailure types) can branch on it.
 */

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
export const PROBLEM_TYPE_BASE = 'https://haven.dev/problems/';

export interface FieldError {
  /** Dotted path into the request part, e.g. `body.advanced.concurrentPvs`. */
  field: string;
  reason: string;
}

export interface ProblemReference {
  kind: string;
  id: string;
  name: string;
}

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ProblemCode;
  errors?: FieldError[];
  references?: ProblemReference[];
}

const CATALOGUE = {
  'validation-failed': { status: 400, title: 'The request does not match the schema' },
  'invalid-reference': { status: 422, title: 'The request refers to something that does not exist' },
  'unprocessable': { status: 422, title: 'The request is well-formed but breaks a rule' },
  'unauthenticated': { status: 401, title: 'A valid API key is required' },
  'forbidden': { status: 403, title: 'The API key\'s role does not allow this' },
  'not-found': { status: 404, title: 'No such resource' },
  'conflict': { status: 409, title: 'The request conflicts with the current state' },
  'still-referenced': { status: 409, title: 'The resource is still referenced' },
  'name-taken': { status: 409, title: 'The name is already used' },
  'locked': { status: 409, title: 'The resource is locked' },
  'precondition-required': { status: 428, title: 'An If-Match header is required' },
  'version-mismatch': { status: 412, title: 'The resource changed since you read it' },
  'agent-not-connected': { status: 409, title: 'The cluster\'s agent is not connected' },
  'agent-timeout': { status: 504, title: 'The cluster\'s agent did not answer in time' },
  'agent-answer-invalid': { status: 502, title: 'The cluster\'s agent answered something Haven does not accept' },
  'storage-unavailable': { status: 502, title: 'The storage target could not be read' },
  'engine-unavailable': { status: 503, title: 'The workflow engine did not answer' },
  'workflows-unavailable': { status: 501, title: 'Workflow execution is not available yet' },
  'unsupported-media-type': { status: 415, title: 'Unsupported content type' },
  'payload-too-large': { status: 413, title: 'Request body too large' },
  'rate-limited': { status: 429, title: 'Too many requests; retry after the Retry-After seconds' },
  'internal': { status: 500, title: 'Internal error' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof CATALOGUE;
export const PROBLEM_CODES = Object.keys(CATALOGUE) as ProblemCode[];

export class Problem extends Error {
  readonly status: number;
  readonly title: string;

  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    readonly extras: { errors?: FieldError[]; references?: ProblemReference[] } = {},
  ) {
    super(detail);
    this.name = 'Problem';
    this.status = CATALOGUE[code].status;
    this.title = CATALOGUE[code].title;
  }

  toDocument(): ProblemDocument {
    return {
      type: PROBLEM_TYPE_BASE + this.code,
      title: this.title,
      status: this.status,
      detail: this.detail,
      code: this.code,
      ...this.extras,
    };
  }
}

/** A single-field semantic error (422), the common case for rules a schema cannot express. */
export function fieldProblem(field: string, reason: string, code: ProblemCode = 'unprocessable'): Problem {
  return new Problem(code, `${field}: ${reason}`, { errors: [{ field, reason }] });
}

export function problemStatus(code: ProblemCode): number {
  return CATALOGUE[code].status;
}
