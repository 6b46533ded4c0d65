import createClient from 'openapi-fetch';
import type { Client } from 'openapi-fetch';
import type { operations, paths } from './openapi.js';

/**
 * Haven's REST API as a typed client: openapi-fetch over the types openapi-typescript generated from the
 * API's own document (openapi.d.ts, `npm run generate:client`). Nothing here declares a request or a
 * response by hand, so a route schema that changes shows up as a type error in every caller.
 */
export type HavenClient = Client<paths>;

export interface HavenConnection {
  /** The API's base URL, e.g. http://127.0.0.1:8080 (the paths carry /api/v1). */
  server: string;
  apiKey: string;
}

export function havenClient({ server, apiKey }: HavenConnection): HavenClient {
  return createClient<paths>({ baseUrl: server.replace(/\/+$/, ''), headers: { authorization: `Bearer ${apiKey}` } });
}

type Responses<Op extends keyof operations> = operations[Op]['responses'];
type JsonContent<Answer> = Answer extends { content: { 'application/json': infer Body } } ? Body : never;

/** The JSON an operation answers with when it succeeds (200, 201 or 202). */
export type SuccessBody<Op extends keyof operations> = JsonContent<Responses<Op>[Extract<keyof Responses<Op>, 200 | 201 | 202>]>;

/** The JSON body an operation takes. */
export type RequestBody<Op extends keyof operations> = operations[Op] extends { requestBody?: { content: { 'application/json': infer Body } } } ? Body : never;

/** An RFC 9457 problem, as every operation documents its errors. */
export type Problem = operations['getJob']['responses'][404]['content']['application/problem+json'];

export type Job = SuccessBody<'getJob'>;

/** An answer that was not a success: the problem the API sent, or what the body was when it sent none. */
export class ApiProblem extends Error {
  override name = 'ApiProblem';
  constructor(
    readonly status: number,
    readonly problem: Partial<Problem> | undefined,
    readonly bodyText?: string,
  ) {
    super(describeProblem(status, problem, bodyText));
  }
}

/** One line: the status, the problem's code and detail, and each field with its reason. */
export function describeProblem(status: number, problem: Partial<Problem> | undefined, bodyText?: string): string {
  if (!problem || typeof problem !== 'object') return `${status}: ${(bodyText ?? '').replace(/\s+/g, ' ').trim().slice(0, 200) || 'no details'}`;
  const fields = (problem.errors ?? []).map((error) => `${error.field}: ${error.reason}`);
  const detail = problem.detail ?? problem.title ?? '';
  const head = `${status} ${problem.code ?? ''}`.trim();
  return [`${head}: ${detail}`, ...fields].join('; ').replace(/[\r\n]+/g, ' ');
}

/** The body of a successful answer from an openapi-fetch call; an ApiProblem otherwise. */
export function answer<Data>(result: { data?: Data; error?: unknown; response: Response }): Data {
  if (result.response.ok && result.error === undefined) return result.data as Data;
  const error = result.error;
  if (error && typeof error === 'object') throw new ApiProblem(result.response.status, error as Partial<Problem>);
  throw new ApiProblem(result.response.status, undefined, typeof error === 'string' ? error : undefined);
}
