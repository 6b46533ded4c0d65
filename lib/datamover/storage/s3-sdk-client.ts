import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { LookupFunction } from 'node:net';
import { Transform, type Readable } from 'node:stream';
import { S3Client } from '@aws-sdk/client-s3';
import { StorageAnswerTooLargeError, StorageTimeoutError } from '../errors.js';
import type { StorageRequestLimits } from './request-limits.js';

export interface BoundedS3ClientOptions {
  region: string;
  endpoint?: string;
  forcePathStyle: boolean;
  /** Undefined: the SDK's provider chain (IAM roles), where the installation allows it. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  skipTlsVerify?: boolean;
  limits: StorageRequestLimits;
  /** How connections resolve host names (see S3TargetConfig.lookup). */
  lookup?: LookupFunction;
}

interface RawResponse {
  headers: Record<string, string | undefined>;
  body?: Readable;
}

/** Operations whose successful answer is an object's data, bounded by maxObjectBytes rather than maxAnswerBytes. */
const OBJECT_READS = new Set(['GetObjectCommand']);

/**
 * An S3 client whose every request ends within the limits (request-limits.ts): the SDK's own timeouts cover
 * connecting and waiting for the answer's head (its request timeout only warns unless told to throw), and
 * the body is read through a counter that stops it at the deadline or the size bound. One attempt per call:
 * callers retry.
 */
export function boundedS3Client(options: BoundedS3ClientOptions): S3Client {
  const { limits } = options;
  const client = new S3Client({
    region: options.region,
    endpoint: options.endpoint,
    forcePathStyle: options.forcePathStyle,
    // A copy: the SDK writes bookkeeping into the object it is given.
    credentials: options.credentials ? { ...options.credentials } : undefined,
    maxAttempts: 1,
    requestHandler: {
      connectionTimeout: limits.connectTimeoutMs,
      socketTimeout: limits.idleTimeoutMs,
      requestTimeout: limits.requestDeadlineMs,
      throwOnRequestTimeout: true,
      ...agentsFor(options),
    },
  });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = (context.commandName ?? 'a request').replace(/Command$/, '');
      const started = Date.now();
      let result;
      try {
        result = await next(args);
      } catch (error) {
        throw timeoutOf(error, operation, limits) ?? error;
      }
      const response = result.response as RawResponse;
      const request = args.request as { method?: string };
      if (request.method === 'HEAD' || !response.body) return result;
      const limit = OBJECT_READS.has(context.commandName ?? '') ? limits.maxObjectBytes : limits.maxAnswerBytes;
      const announced = Number(response.headers['content-length'] ?? 0);
      if (announced > limit) {
        response.body.destroy();
        throw new StorageAnswerTooLargeError(operation, limit);
      }
      response.body = boundedBody(response.body, operation, limit, limits.requestDeadlineMs - (Date.now() - started), limits.requestDeadlineMs);
      return result;
    },
    // Inside the deserializer: it reads the body this returns.
    { step: 'deserialize', priority: 'low', name: 'havenBoundedAnswers' },
  );
  return client;
}

/** Agents only where something differs from the SDK's own: a name guard, or TLS without verification. */
function agentsFor(options: BoundedS3ClientOptions): { httpAgent?: HttpAgent; httpsAgent?: HttpsAgent } {
  const lookup = options.lookup ? { lookup: options.lookup } : {};
  const agents: { httpAgent?: HttpAgent; httpsAgent?: HttpsAgent } = {};
  if (options.lookup) agents.httpAgent = new HttpAgent({ keepAlive: true, ...lookup });
  if (options.lookup || options.skipTlsVerify) agents.httpsAgent = new HttpsAgent({ keepAlive: true, ...lookup, ...(options.skipTlsVerify ? { rejectUnauthorized: false } : {}) });
  return agents;
}

/** The SDK's timeouts as StorageTimeoutError; resets (which the SDK also names TimeoutError) stay as they are. */
function timeoutOf(error: unknown, operation: string, limits: StorageRequestLimits): StorageTimeoutError | undefined {
  const candidate = error as { name?: string; code?: string; message?: string };
  if (candidate?.name !== 'TimeoutError' || candidate.code === 'ECONNRESET' || candidate.code === 'EPIPE') return undefined;
  if (/establish a connection/.test(candidate.message ?? '')) return new StorageTimeoutError(operation, limits.connectTimeoutMs, 'connect');
  if (/inactivity/.test(candidate.message ?? '')) return new StorageTimeoutError(operation, limits.idleTimeoutMs, 'answer');
  return new StorageTimeoutError(operation, limits.requestDeadlineMs, 'answer');
}

/** The body, ended with an error once it passes `limit` bytes or `remainingMs` elapse. */
function boundedBody(body: Readable, operation: string, limit: number, remainingMs: number, deadlineMs: number): Transform {
  let received = 0;
  const bounded = new Transform({
    transform(piece: Buffer, _encoding, done) {
      received += piece.length;
      if (received > limit) done(new StorageAnswerTooLargeError(operation, limit));
      else done(null, piece);
    },
  });
  const timer = setTimeout(() => bounded.destroy(new StorageTimeoutError(operation, deadlineMs, 'answer')), Math.max(0, remainingMs));
  bounded.once('close', () => {
    clearTimeout(timer);
    body.destroy();
  });
  body.once('error', (error) => bounded.destroy(error));
  body.pipe(bounded);
  return bounded;
}
