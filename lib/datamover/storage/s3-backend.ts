import { ObjectExistsError, ObjectNotFoundError, ObjectRetainedError } from '../errors.js';
import type { ByteRange, ObjectInfo, PutOptions, StorageBackend, WholeRead } from './backend.js';
import type { S3TargetConfig } from './s3-target-config.js';

export type { S3TargetConfig } from './s3-target-config.js';
import { retainUntil } from './backend.js';
import { UnsupportedResponseError } from './http-connection.js';
import { DEFAULT_STORAGE_REQUEST_LIMITS, type StorageRequestLimits } from './request-limits.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, withRetries } from './retry.js';
import { plainHttpOperations, type S3Operations } from './s3-operations.js';
import { S3PlainHttp } from './s3-plain-http.js';


function isNotFound(error: unknown): boolean {
  const candidate = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return candidate?.name === 'NoSuchKey' || candidate?.name === 'NotFound' || candidate?.$metadata?.httpStatusCode === 404;
}

function isPreconditionFailed(error: unknown): boolean {
  const candidate = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return candidate?.name === 'PreconditionFailed' || candidate?.$metadata?.httpStatusCode === 412;
}

/**
 * Repository semantics (see backend.ts) over S3. Calls go over plain HTTP where that can serve them (an
 * `http:` endpoint with static credentials, see s3-plain-http.ts) and through the SDK otherwise, or from
 * the first answer the plain client cannot read.
 */
export class S3Backend implements StorageBackend {
  readonly location: string;
  private readonly prefix: string;
  private plain: S3Operations | undefined;
  private sdk: Promise<S3Operations> | undefined;
  private readonly limits: StorageRequestLimits;

  constructor(
    private readonly config: S3TargetConfig,
    /** Tests inject failures here; by default chosen as described above. */
    operations?: S3Operations,
    private readonly retry: RetryPolicy = DEFAULT_RETRY_POLICY,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.prefix = config.prefix === '' || config.prefix.endsWith('/') ? config.prefix : `${config.prefix}/`;
    this.location = `s3://${config.bucket}/${this.prefix}`;
    this.limits = config.limits ?? DEFAULT_STORAGE_REQUEST_LIMITS;
    const { endpoint, accessKeyId, secretAccessKey } = config;
    if (operations) this.sdk = Promise.resolve(operations);
    else if (S3PlainHttp.supports(endpoint) && accessKeyId && secretAccessKey) {
      const http = new S3PlainHttp({
        endpoint: endpoint!,
        bucket: config.bucket,
        region: config.region,
        forcePathStyle: config.forcePathStyle ?? false,
        credentials: { accessKeyId, secretAccessKey },
        limits: this.limits,
        ...(config.lookup ? { lookup: config.lookup } : {}),
      });
      this.plain = plainHttpOperations(http, this.limits);
    }
  }

  /** One S3 call with retries, over plain HTTP while it can serve them. */
  private async call<T>(operation: string, key: string, run: (operations: S3Operations) => Promise<T>): Promise<T> {
    const plain = this.plain;
    if (plain) {
      try {
        return await withRetries(operation, key, this.retry, () => run(plain));
      } catch (error) {
        if (!(error instanceof UnsupportedResponseError)) throw error;
        // This server frames bodies in a way the plain client does not read: the SDK from now on.
        plain.close();
        this.plain = undefined;
      }
    }
    this.sdk ??= import('./s3-sdk-operations.js').then(({ sdkOperations }) => sdkOperations(this.config));
    const sdk = await this.sdk;
    return withRetries(operation, key, this.retry, () => run(sdk));
  }

  async put(key: string, body: Uint8Array, options: PutOptions = {}): Promise<void> {
    const lockUntil = options.unretained ? undefined : retainUntil(this.config.retention, this.clock());
    try {
      await this.call('PutObject', key, (s3) => s3.putObject(this.prefix + key, body, { ifAbsent: options.ifAbsent, lockUntil }));
    } catch (error) {
      if (options.ifAbsent && isPreconditionFailed(error)) throw new ObjectExistsError(key);
      throw error;
    }
  }

  async get(key: string, read?: ByteRange | WholeRead): Promise<Buffer> {
    try {
      // The body is read inside the retried call: a connection reset mid-body is retried too.
      return await this.call('GetObject', key, (s3) => s3.getObject(this.prefix + key, read));
    } catch (error) {
      if (isNotFound(error)) throw new ObjectNotFoundError(key);
      throw error;
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      return { key, ...(await this.call('HeadObject', key, (s3) => s3.headObject(this.prefix + key))) };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    let token: string | undefined;
    do {
      const page = await this.call('ListObjectsV2', prefix, (s3) => s3.listObjects(this.prefix + prefix, token));
      for (const item of page.objects) {
        if (!item.key) continue;
        yield { ...item, key: item.key.slice(this.prefix.length) };
      }
      token = page.nextToken;
    } while (token);
  }

  /**
   * Deletes every version of the key (a plain delete in a versioned bucket only hides the object and frees
   * nothing). Refuses up front when the object is retained, instead of leaving a delete marker behind.
   */
  async delete(key: string): Promise<void> {
    const until = await this.retainedUntil(key);
    if (until && until > this.clock()) throw new ObjectRetainedError(key, until);
    const fullKey = this.prefix + key;
    const versions = await this.call('ListObjectVersions', key, (s3) => s3.listObjectVersions(fullKey));
    const exact = versions.filter((version) => version.key === fullKey);
    if (exact.length === 0) {
      await this.call('DeleteObject', key, (s3) => s3.deleteObject(fullKey));
      return;
    }
    for (const version of exact) await this.call('DeleteObject', key, (s3) => s3.deleteObject(fullKey, version.versionId));
  }

  async extendRetention(key: string, until: Date): Promise<boolean> {
    const current = await this.retainedUntil(key);
    if (current && current >= until) return false;
    await this.call('PutObjectRetention', key, (s3) => s3.putObjectRetention(this.prefix + key, until));
    return true;
  }

  async retainedUntil(key: string): Promise<Date | undefined> {
    // Checked even when this target is not configured immutable: the bucket may hold objects locked by
    // an earlier configuration, and GC must never try to delete those.
    try {
      return await this.call('GetObjectRetention', key, (s3) => s3.getObjectRetention(this.prefix + key));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      const name = (error as { name?: string }).name;
      if (name === 'NoSuchObjectLockConfiguration' || name === 'ObjectLockConfigurationNotFoundError' || name === 'InvalidRequest') {
        return undefined;
      }
      throw error;
    }
  }
}
