import { Agent } from 'node:https';
import { GetBucketVersioningCommand, GetObjectLockConfigurationCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { EndpointNetworks} from '../../../lib/common/storage-access/endpoints.js';
import { StorageAccessRefusedError } from '../../../lib/common/storage-access/endpoints.js';
import { StorageProbeError, type S3ProbeRequest, type StorageProbe, type StorageProbeResult } from './storage-probe.js';

/** A form is waiting: an endpoint that does not answer within this is reported, not waited for. */
const CONNECT_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 10_000;

interface SdkError {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

/** S3 error codes that mean the keys, whatever the status (versitygw answers an unknown key with 404). */
const CREDENTIAL_ERRORS = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'InvalidToken', 'ExpiredToken', 'XAdminUserNotFound']);

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

/**
 * What went wrong, in terms of the field to fix. Reasons name only the kind of failure: the server's own
 * answer (and so whatever an endpoint pointed inside the network would say) is never echoed back.
 */
function classify(error: unknown): StorageProbeError {
  const e = error as SdkError;
  const status = e.$metadata?.httpStatusCode;
  if (e.code && NETWORK_CODES.has(e.code)) return new StorageProbeError('endpoint', `the endpoint could not be reached (${e.code})`);
  if (e.name === 'TimeoutError' || e.code === 'ECONNABORTED') return new StorageProbeError('endpoint', 'the endpoint did not answer in time');
  if (e.code?.startsWith('ERR_TLS') || e.code?.includes('CERT') || e.code === 'DEPTH_ZERO_SELF_SIGNED_CERT') {
    return new StorageProbeError('endpoint', `the endpoint's TLS certificate is not trusted (${e.code})`);
  }
  if (status === 401 || status === 403 || (e.name && CREDENTIAL_ERRORS.has(e.name))) return new StorageProbeError('credentials', 'the storage server refused these credentials for this bucket: check the access key, the secret and the bucket policy');
  if (e.name === 'NoSuchBucket') return new StorageProbeError('bucket', 'the bucket does not exist at this endpoint');
  if (status === 301 || status === 307 || e.name === 'PermanentRedirect' || e.name === 'AuthorizationHeaderMalformed') {
    return new StorageProbeError('region', 'the bucket is in another region');
  }
  if (status === 400) return new StorageProbeError('region', 'the storage server refused the request (HTTP 400): check the region and the addressing style (pathStyle)');
  if (status !== undefined) return new StorageProbeError('endpoint', `the endpoint answered HTTP ${status}, not as an S3 server`);
  return new StorageProbeError('endpoint', 'the endpoint could not be reached');
}

/**
 * Reads the bucket's settings with the target's own credentials: nothing is written. An endpoint on an
 * internal address the installation does not allow is refused before anything connects.
 */
export const s3StorageProbe = (endpoints: EndpointNetworks): StorageProbe => ({
  async probeS3(request: S3ProbeRequest): Promise<StorageProbeResult> {
    try {
      await endpoints.check(request.endpoint);
    } catch (error) {
      if (error instanceof StorageAccessRefusedError) throw new StorageProbeError('endpoint', error.message);
      throw error;
    }
    const client = new S3Client({
      endpoint: request.endpoint,
      region: request.region,
      forcePathStyle: request.pathStyle,
      // A copy: the SDK writes bookkeeping into the object it is given, and the caller stores this one.
      credentials: { accessKeyId: request.credentials.accessKeyId, secretAccessKey: request.credentials.secretAccessKey },
      maxAttempts: 1,
      requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS, ...(request.skipTlsVerify ? { httpsAgent: new Agent({ rejectUnauthorized: false }) } : {}) },
    });
    const Bucket = request.bucket;
    try {
      try {
        // A listing, not HeadBucket: any web server answers a HEAD with 200, only S3 answers this in XML.
        const listing = await client.send(new ListObjectsV2Command({ Bucket, Prefix: request.prefix, MaxKeys: 1 }));
        // The SDK reads any 200 as an empty listing; S3 always names the bucket it listed.
        if (listing.Name !== Bucket) throw new StorageProbeError('endpoint', 'the endpoint answered, but not as an S3 server');
      } catch (error) {
        throw error instanceof StorageProbeError ? error : classify(error);
      }
      // A bucket without a lock configuration answers an error here; one the credentials may not read is
      // treated as unlocked: SafeLock is only promised where it was seen.
      const lock = await client.send(new GetObjectLockConfigurationCommand({ Bucket })).catch(() => undefined);
      const versioning = await client.send(new GetBucketVersioningCommand({ Bucket })).catch(() => undefined);
      return {
        objectLockEnabled: lock?.ObjectLockConfiguration?.ObjectLockEnabled === 'Enabled',
        versioning: versioning?.Status ?? 'Never enabled',
      };
    } finally {
      client.destroy();
    }
  },
});
