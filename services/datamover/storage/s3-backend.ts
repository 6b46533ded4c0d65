import {
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectRetentionCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutObjectCommand,
  S3Client,
  type PutObjectCommandInput,
} from '@aws-sdk/client-s3';
import { ObjectExistsError, ObjectNotFoundError, ObjectRetainedError } from '../errors.js';
import type { ByteRange, ObjectInfo, PutOptions, RetentionPolicy, StorageBackend } from './backend.js';
import { retainUntil } from './backend.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, withRetries } from './retry.js';
import { S3RangedGet, UnsupportedResponseError } from './s3-ranged-get.js';

export interface S3TargetConfig {
  bucket: string;
  /** Key prefix inside the bucket; one repository per prefix. */
  prefix: string;
  region: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Set for immutable targets: every object gets COMPLIANCE retention for this long. */
  retention?: RetentionPolicy;
}

/** The subset of S3Client the backend uses, so tests can inject failures. */
export interface S3Sender {
  send(command: unknown): Promise<unknown>;
}

function isNotFound(error: unknown): boolean {
  const candidate = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return candidate?.name === 'NoSuchKey' || candidate?.name === 'NotFound' || candidate?.$metadata?.httpStatusCode === 404;
}

function isPreconditionFailed(error: unknown): boolean {
  const candidate = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return candidate?.name === 'PreconditionFailed' || candidate?.$metadata?.httpStatusCode === 412;
}

export function createS3Client(config: S3TargetConfig): S3Client {
  return new S3Client({
    region: config.region,
    endpoint: config.endpoint,
    forcePathStyle: config.forcePathStyle ?? false,
    credentials:
      config.accessKeyId && config.secretAccessKey
        ? { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey }
        : undefined,
    // Retries are ours (withRetries) so that backoff and classification are the same for every call.
    maxAttempts: 1,
  });
}

/** Copies a response body into memory the caller provides, as its pieces arrive. */
async function readInto(body: AsyncIterable<Uint8Array>, into: Uint8Array, length: number, key: string): Promise<Buffer> {
  const target = Buffer.from(into.buffer, into.byteOffset, length);
  let received = 0;
  for await (const piece of body) {
    if (received + piece.length > length) throw new Error(`GetObject ${key}: the body is longer than the ${length} bytes asked for`);
    target.set(piece, received);
    received += piece.length;
  }
  return target.subarray(0, received);
}

export class S3Backend implements StorageBackend {
  readonly location: string;
  private readonly prefix: string;

  constructor(
    private readonly config: S3TargetConfig,
    private readonly client: S3Sender = createS3Client(config),
    private readonly retry: RetryPolicy = DEFAULT_RETRY_POLICY,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.prefix = config.prefix === '' || config.prefix.endsWith('/') ? config.prefix : `${config.prefix}/`;
    this.location = `s3://${config.bucket}/${this.prefix}`;
    const { endpoint } = config;
    if (endpoint && S3RangedGet.supports(endpoint) && client instanceof S3Client) {
      this.rangedGet = new S3RangedGet({
        endpoint,
        bucket: config.bucket,
        region: config.region,
        forcePathStyle: config.forcePathStyle ?? false,
        credentials: () => client.config.credentials(),
      });
    }
  }

  /** Ranged reads into caller memory over plain HTTP (restore's hot path), while the server's answers allow it. */
  private rangedGet: S3RangedGet | undefined;

  private send<T>(operation: string, key: string, command: unknown): Promise<T> {
    return withRetries(operation, key, this.retry, () => this.client.send(command) as Promise<T>);
  }

  async put(key: string, body: Uint8Array, options: PutOptions = {}): Promise<void> {
    const input: PutObjectCommandInput = { Bucket: this.config.bucket, Key: this.prefix + key, Body: body };
    if (options.ifAbsent) input.IfNoneMatch = '*';
    const until = retainUntil(this.config.retention, this.clock());
    if (until) {
      input.ObjectLockMode = 'COMPLIANCE';
      input.ObjectLockRetainUntilDate = until;
    }
    try {
      await this.send('PutObject', key, new PutObjectCommand(input));
    } catch (error) {
      if (options.ifAbsent && isPreconditionFailed(error)) throw new ObjectExistsError(key);
      throw error;
    }
  }

  async get(key: string, range?: ByteRange): Promise<Buffer> {
    const { into } = range ?? {};
    if (range && into && this.rangedGet) {
      const rangedGet = this.rangedGet;
      try {
        return await withRetries('GetObject', key, this.retry, () => rangedGet.get(this.prefix + key, range.offset, range.length, into));
      } catch (error) {
        if (isNotFound(error)) throw new ObjectNotFoundError(key);
        if (!(error instanceof UnsupportedResponseError)) throw error;
        // This server frames bodies in a way the plain client does not read: the SDK from now on.
        rangedGet.close();
        this.rangedGet = undefined;
      }
    }
    const command = new GetObjectCommand({
      Bucket: this.config.bucket,
      Key: this.prefix + key,
      Range: range ? `bytes=${range.offset}-${range.offset + range.length - 1}` : undefined,
    });
    try {
      // The body is read inside the retried call: a connection reset mid-body is retried too.
      return await withRetries('GetObject', key, this.retry, async () => {
        const response = (await this.client.send(command)) as { Body?: AsyncIterable<Uint8Array> & { transformToByteArray(): Promise<Uint8Array> } };
        if (!response.Body) throw new ObjectNotFoundError(key);
            if (range?.into) return readInto(response.Body, range.into, range.length, key);
        const bytes = await response.Body.transformToByteArray();
        return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      });
    } catch (error) {
      if (isNotFound(error)) throw new ObjectNotFoundError(key);
      throw error;
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const response = await this.send<{ ContentLength?: number; LastModified?: Date }>(
        'HeadObject',
        key,
        new HeadObjectCommand({ Bucket: this.config.bucket, Key: this.prefix + key }),
      );
      return { key, size: response.ContentLength ?? 0, lastModified: response.LastModified ?? new Date(0) };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    let token: string | undefined;
    do {
      const response = await this.send<{
        Contents?: { Key?: string; Size?: number; LastModified?: Date }[];
        NextContinuationToken?: string;
        IsTruncated?: boolean;
      }>('ListObjectsV2', prefix, new ListObjectsV2Command({ Bucket: this.config.bucket, Prefix: this.prefix + prefix, ContinuationToken: token }));
      for (const item of response.Contents ?? []) {
        if (!item.Key) continue;
        yield { key: item.Key.slice(this.prefix.length), size: item.Size ?? 0, lastModified: item.LastModified ?? new Date(0) };
      }
      token = response.IsTruncated ? response.NextContinuationToken : undefined;
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
    const versions = await this.send<{
      Versions?: { Key?: string; VersionId?: string }[];
      DeleteMarkers?: { Key?: string; VersionId?: string }[];
    }>('ListObjectVersions', key, new ListObjectVersionsCommand({ Bucket: this.config.bucket, Prefix: fullKey }));
    const exact = [...(versions.Versions ?? []), ...(versions.DeleteMarkers ?? [])].filter((version) => version.Key === fullKey);
    if (exact.length === 0) {
      await this.send('DeleteObject', key, new DeleteObjectCommand({ Bucket: this.config.bucket, Key: fullKey }));
      return;
    }
    for (const version of exact) {
      await this.send(
        'DeleteObject',
        key,
        new DeleteObjectCommand({ Bucket: this.config.bucket, Key: fullKey, VersionId: version.VersionId }),
      );
    }
  }

  async retainedUntil(key: string): Promise<Date | undefined> {
    // Checked even when this target is not configured immutable: the bucket may hold objects locked by
    // an earlier configuration, and GC must never try to delete those.
    try {
      const response = await this.send<{ Retention?: { RetainUntilDate?: Date } }>(
        'GetObjectRetention',
        key,
        new GetObjectRetentionCommand({ Bucket: this.config.bucket, Key: this.prefix + key }),
      );
      return response.Retention?.RetainUntilDate;
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
