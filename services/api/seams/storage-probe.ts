/** Where an S3 storage target points, with the credentials to try. */
export interface S3ProbeRequest {
  endpoint: string;
  region: string;
  bucket: string;
  prefix: string;
  pathStyle: boolean;
  skipTlsVerify: boolean;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

export interface StorageProbeResult {
  /** The bucket has an Object Lock configuration: SafeLock can rest on it. */
  objectLockEnabled: boolean;
  versioning: 'Enabled' | 'Suspended' | 'Never enabled';
}

/** The target is not usable as given; `field` is the request field to fix (without the `body.` prefix). */
export class StorageProbeError extends Error {
  constructor(
    readonly field: 'endpoint' | 'region' | 'bucket' | 'credentials',
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

/**
 * Checks a storage target before it is saved, so a typo shows up as a 422 on the form and not as the
 * first night's failed backup, and so `objectLockCapable` is what the bucket does, not what was typed.
 */
export interface StorageProbe {
  probeS3(request: S3ProbeRequest): Promise<StorageProbeResult>;
}
