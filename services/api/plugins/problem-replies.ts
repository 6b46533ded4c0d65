import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorObject } from 'ajv';
import { PROBLEM_CONTENT_TYPE, Problem } from '../../../lib/common/problem.js';
import { toFieldErrors } from './validation.js';
import { problemFromDatabaseError } from './database-errors.js';
import { isEngineUnreachable } from '../../../lib/common/temporal/engine-unreachable.js';

/**
 * Turns every failure into application/problem+json. Validation and database errors become the
 * catalogue codes; anything unexpected is logged and answered as a bare 500 without internals.
 */
export function installProblemReplies(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | Problem, request, reply) => {
    const problem = isMissingBody(error, request.body) ? MISSING_BODY() : toProblem(error);
    if (problem.status >= 500 && problem.code === 'internal') {
      request.log.error({ err: error }, 'request failed');
    }
    return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem.toDocument());
  });

  app.setNotFoundHandler((request, reply) => {
    const problem = new Problem('not-found', `no route ${request.method} ${request.url.split('?')[0]}`);
    return reply.code(404).type(PROBLEM_CONTENT_TYPE).send(problem.toDocument());
  });
}

/**
 * Fastify's `frameworkErrors`: what its router refuses before any route or error handler runs (a path
 * parameter over `maxParamLength`, a malformed percent-encoding). Fastify's own answer would be a 414 or 400 in
 * its private JSON shape; as a problem it is the 400 every operation documents.
 */
export function answerFrameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const reason = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'has a segment longer than the API accepts' : 'is not a valid URL path';
  const problem = new Problem('validation-failed', `the request path ${reason}`, { errors: [{ field: 'params', reason }] });
  void reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem.toDocument());
}

/** A route that needs a body and got none: "body must be object" would not say what is wrong. */
function isMissingBody(error: FastifyError | Problem, body: unknown): boolean {
  return body === undefined && (error as FastifyError).validationContext === 'body' && (error as FastifyError).validation !== undefined;
}

const MISSING_BODY = () => new Problem('validation-failed', 'the request has no body; send one as application/json', { errors: [{ field: 'body', reason: 'is required' }] });

function toProblem(error: FastifyError | Problem): Problem {
  if (error instanceof Problem) return error;
  const validation = (error as FastifyError).validation as ErrorObject[] | undefined;
  if (validation) {
    const part = (error as FastifyError).validationContext ?? 'body';
    const errors = toFieldErrors(validation, part);
    return new Problem('validation-failed', errors.map((e) => `${e.field} ${e.reason}`).join('; '), { errors });
  }
  const fromDatabase = problemFromDatabaseError(error);
  if (fromDatabase) return fromDatabase;
  // The Temporal client's own error for an engine that did not answer; the transaction around the call rolled back.
  if (isEngineUnreachable(error)) return new Problem('engine-unavailable', 'the workflow engine (Temporal) did not answer; nothing was changed, retry when it is back');
  switch ((error as FastifyError).code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new Problem('unsupported-media-type', 'send the body as application/json');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new Problem('payload-too-large', 'the request body is too large');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new Problem('validation-failed', 'the body is not valid JSON', { errors: [{ field: 'body', reason: 'is not valid JSON' }] });
  }
  const status = (error as FastifyError).statusCode;
  if (status === 400 && error instanceof SyntaxError) {
    return new Problem('validation-failed', 'the body is not valid JSON', { errors: [{ field: 'body', reason: 'is not valid JSON' }] });
  }
  if (status !== undefined && status >= 400 && status < 500) {
    return new Problem('validation-failed', error.message, { errors: [{ field: 'request', reason: error.message }] });
  }
  return new Problem('internal', 'the server failed to handle the request; it has been logged');
}
