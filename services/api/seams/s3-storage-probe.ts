import { GetBucketVersioningCommand, GetObjectLockConfigurationCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { EndpointNetworks } from '../../../lib/common/storage-access/endpoints.js';
import { StorageAccessRefusedError } from '../../../lib/common/storage-access/endpoints.js';
import { DEFAULT_STORAGE_REQUEST_LIMITS, type StorageRequestLimits } from '../../../lib/datamover/storage/request-limits.js';
import { boundedS3Client } from '../../../lib/datamover/storage/s3-sdk-client.js';
import { describeStorageFailure } from '../../../lib/datamover/storage/storage-failures.js';
import { StorageProbeError, type S3ProbeRequest, type StorageProbe, type StorageProbeResult } from './storage-probe.js';

/**
 * A form is waiting: an endpoint that does not answer within these is reported, not waited for. Three
 * small requests, each bounded, so a hostile endpoint holds a request of the API for at most half a minute.
 */
export const PROBE_REQUEST_LIMITS: StorageRequestLimits = {
  ...DEFAULT_STORAGE_REQUEST_LIMITS,
  connectTimeoutMs: 5_000,
  idleTimeoutMs: 10_000,
  requestDeadlineMs: 10_000,
  // A listing of one key and two small settings documents: a few KiB, whatever the bucket holds.
  maxAnswerBytes: 1024 * 1024,
};

interface SdkError {
  name?: string;
  $metadata?: { httpStatusCode?: number };
}

/**
 * What went wrong, in terms of the field to fix. Reasons name only the kind of failure: the server's own
 * answer (and so whatever an endpoint pointed inside the network would say) is never echoed back.
 */
function classify(error: unknown): StorageProbeError {
  const e = error as SdkError;
  const status = e.$metadata?.httpStatusCode;
  // The name resolved, when the connection looked it up, to an address this installation does not allow.
  if (error instanceof StorageAccessRefusedError) return new StorageProbeError('endpoint', error.message);
  const failure = describeStorageFailure(error);
  if (failure?.kind === 'access-denied') return new StorageProbeError('credentials', 'the storage server refused these credentials for this bucket: check the access key, the secret and the bucket policy');
  if (failure?.kind === 'no-bucket') return new StorageProbeError('bucket', 'the bucket does not exist at this endpoint');
  if (status === 301 || status === 307 || e.name === 'PermanentRedirect' || e.name === 'AuthorizationHeaderMalformed') {
    return new StorageProbeError('region', 'the bucket is in another region');
  }
  if (status === 400) return new StorageProbeError('region', 'the storage server refused the request (HTTP 400): check the region and the addressing style (pathStyle)');
  return new StorageProbeError('endpoint', failure?.message ?? 'the endpoint could not be reached');
}

/**
 * Reads the bucket's settings with the target's own credentials: nothing is written. An endpoint on an
 * internal address the installation does not allow is refused before anything connects; every request is
 * bounded in time and size (`limits`, injectable so tests wait less).
 */
export const s3StorageProbe = (endpoints: EndpointNetworks, limits: StorageRequestLimits = PROBE_REQUEST_LIMITS): StorageProbe => ({
  async probeS3(request: S3ProbeRequest): Promise<StorageProbeResult> {
    try {
      await endpoints.check(request.endpoint);
    } catch (error) {
      if (error instanceof StorageAccessRefusedError) throw new StorageProbeError('endpoint', error.message);
      throw error;
    }
    const client = boundedS3Client({
      endpoint: request.endpoint,
      region: request.region,
      forcePathStyle: request.pathStyle,
      credentials: request.credentials,
      skipTlsVerify: request.skipTlsVerify,
      limits,
      lookup: endpoints.lookup,
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
