import { StorageAnswerNotS3Error, StorageAnswerTooLargeError, StorageTimeoutError, StorageUnavailableError } from '../errors.js';

/** What went wrong talking to a storage endpoint, in words that quote nothing the endpoint said. */
export interface StorageFailure {
  kind: 'timeout' | 'unreachable' | 'tls' | 'not-s3' | 'too-large' | 'access-denied' | 'no-bucket' | 'http';
  /** For the tenant: names the failure and what to check, never the server's answer, banner or addresses. */
  message: string;
  /** Another attempt may succeed (congestion, a server error); false for what only a change of settings fixes. */
  retryable: boolean;
  /** The S3 error code (AccessDenied, NoSuchBucket, SlowDown…) when the endpoint gave one. */
  s3Code?: string;
}

const CONNECTION_MESSAGES: Record<string, [string, boolean]> = {
  ECONNREFUSED: ['the storage endpoint refused the connection (ECONNREFUSED): nothing listens at its address and port', true],
  ENOTFOUND: ["the storage endpoint's host name does not resolve (ENOTFOUND)", false],
  EAI_AGAIN: ["the storage endpoint's host name could not be resolved just now (EAI_AGAIN)", true],
  EHOSTUNREACH: ['there is no route to the storage endpoint (EHOSTUNREACH)', true],
  ENETUNREACH: ['there is no route to the storage endpoint (ENETUNREACH)', true],
  ECONNRESET: ['the storage endpoint closed the connection before answering (ECONNRESET)', true],
  EPIPE: ['the storage endpoint closed the connection while the request was sent (EPIPE)', true],
  ETIMEDOUT: ['the storage endpoint did not answer in time (ETIMEDOUT)', true],
  ECONNABORTED: ['the connection to the storage endpoint was aborted (ECONNABORTED)', true],
  UND_ERR_SOCKET: ['the storage endpoint closed the connection before answering', true],
};

const CREDENTIAL_CODES = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'InvalidToken', 'ExpiredToken', 'XAdminUserNotFound']);

/** What an S3 error code looks like; anything else in that place is not an S3 server's answer and is not repeated. */
const S3_CODE = /^[A-Z][A-Za-z0-9.]{1,63}$/;

interface ErrorShape {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

/**
 * Classifies a storage call's failure for the tenant, or undefined when it is not about talking to the
 * endpoint (a lock, a missing object, the repository's own errors). The control plane reaches endpoints from
 * inside the installation's network: what answers there (another service's page or banner, an error with
 * internal addresses) must not travel back through the API, so messages are built from the failure's kind
 * and the S3 error code only.
 */
export function describeStorageFailure(error: unknown): StorageFailure | undefined {
  const failure = error instanceof StorageUnavailableError ? error.cause : error;
  if (failure instanceof StorageTimeoutError) return { kind: 'timeout', message: failure.message, retryable: true };
  if (failure instanceof StorageAnswerTooLargeError) return { kind: 'too-large', message: failure.message, retryable: false };
  if (failure instanceof StorageAnswerNotS3Error) return { kind: 'not-s3', message: failure.message, retryable: false };
  if (typeof failure !== 'object' || failure === null) return undefined;
  const shape = failure as ErrorShape;
  const connection = shape.code ? CONNECTION_MESSAGES[shape.code] : undefined;
  if (connection) return { kind: 'unreachable', message: connection[0], retryable: connection[1] };
  if (shape.code && (shape.code.startsWith('ERR_TLS') || shape.code.includes('CERT') || shape.code.startsWith('ERR_SSL'))) {
    return { kind: 'tls', message: `the storage endpoint's TLS certificate is not trusted (${shape.code}): fix the certificate or set skipTlsVerify`, retryable: false };
  }
  // Node's HTTP parser (the SDK's client): the endpoint does not speak HTTP.
  if (shape.code?.startsWith('HPE_')) return { kind: 'not-s3', message: 'the storage endpoint answered with something that is not HTTP (another kind of server listens there)', retryable: false };
  if (shape.name === 'TimeoutError') return { kind: 'timeout', message: 'the storage endpoint did not answer in time', retryable: true };
  const status = shape.$metadata?.httpStatusCode;
  if (status === undefined) return undefined;
  const s3Code = shape.name && S3_CODE.test(shape.name) && !/^Http\d+$/.test(shape.name) && !['Error', 'SyntaxError', 'TypeError', 'Unknown', 'UnknownError'].includes(shape.name) ? shape.name : undefined;
  if (status === 401 || status === 403 || (s3Code && CREDENTIAL_CODES.has(s3Code))) {
    return { kind: 'access-denied', message: `the storage server refused access${s3Code ? ` (${s3Code})` : ` (HTTP ${status})`}: check the access key, the secret and the bucket policy`, retryable: false, ...(s3Code ? { s3Code } : {}) };
  }
  if (s3Code === 'NoSuchBucket') return { kind: 'no-bucket', message: 'the bucket does not exist at the storage endpoint (NoSuchBucket)', retryable: false, s3Code };
  const retryable = status >= 500 || status === 429;
  if (!s3Code) {
    return { kind: 'not-s3', message: `the storage endpoint answered HTTP ${status} without an S3 error: something other than an S3 server answers there`, retryable };
  }
  return { kind: 'http', message: `the storage server answered HTTP ${status} (${s3Code})`, retryable, s3Code };
}
