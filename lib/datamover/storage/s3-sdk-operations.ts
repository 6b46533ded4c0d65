import {
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectRetentionCommand,
  PutObjectRetentionCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutObjectCommand,
  type S3Client,
  type PutObjectCommandInput,
} from '@aws-sdk/client-s3';
import { StorageAnswerTooLargeError } from '../errors.js';
import { isRange } from './backend.js';
import { DEFAULT_STORAGE_REQUEST_LIMITS } from './request-limits.js';
import { boundedS3Client } from './s3-sdk-client.js';
import { wholeReadBound, type S3Operations } from './s3-operations.js';
import type { S3TargetConfig } from './s3-target-config.js';

/**
 * The S3 calls through the AWS SDK: for TLS endpoints, credentials from the SDK's provider chain (no
 * static keys: IRSA, instance profiles), and servers whose answers the plain client does not read.
 * Imported only when needed: the SDK's modules take about 0.3 CPU s to load.
 */
export function createS3Client(config: S3TargetConfig): S3Client {
  return boundedS3Client({
    region: config.region,
    endpoint: config.endpoint,
    forcePathStyle: config.forcePathStyle ?? false,
    credentials: config.accessKeyId && config.secretAccessKey ? { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey } : undefined,
    limits: config.limits ?? DEFAULT_STORAGE_REQUEST_LIMITS,
    ...(config.lookup ? { lookup: config.lookup } : {}),
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

/**
 * A whole object's body, refused as soon as it is announced or grows past `maxBytes`: pieces are kept
 * as they arrive and joined once, so nothing is allocated for a length only announced.
 */
async function readBounded(body: AsyncIterable<Uint8Array> & { destroy?: () => void }, announced: number | undefined, maxBytes: number): Promise<Buffer> {
  if (announced !== undefined && announced > maxBytes) {
    body.destroy?.();
    throw new StorageAnswerTooLargeError('GetObject', maxBytes);
  }
  const pieces: Uint8Array[] = [];
  let received = 0;
  for await (const piece of body) {
    received += piece.length;
    if (received > maxBytes) {
      body.destroy?.();
      throw new StorageAnswerTooLargeError('GetObject', maxBytes);
    }
    pieces.push(piece);
  }
  return Buffer.concat(pieces, received);
}

export function sdkOperations(config: S3TargetConfig, client: S3Client = createS3Client(config)): S3Operations {
  const Bucket = config.bucket;
  return {
    async putObject(Key, Body, { ifAbsent, lockUntil }) {
      const input: PutObjectCommandInput = { Bucket, Key, Body };
      if (ifAbsent) input.IfNoneMatch = '*';
      if (lockUntil) {
        input.ObjectLockMode = 'COMPLIANCE';
        input.ObjectLockRetainUntilDate = lockUntil;
      }
      await client.send(new PutObjectCommand(input));
    },
    async getObject(Key, read) {
      const range = isRange(read) ? read : undefined;
      const Range = range ? `bytes=${range.offset}-${range.offset + range.length - 1}` : undefined;
      const response = await client.send(new GetObjectCommand({ Bucket, Key, Range }));
      const body = response.Body;
      if (!body) throw Object.assign(new Error(`GetObject ${Key}: no body`), { name: 'NoSuchKey' });
      if (range?.into) return readInto(body as AsyncIterable<Uint8Array>, range.into, range.length, Key);
      if (range) {
        const bytes = await body.transformToByteArray();
        return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      }
      return readBounded(body as AsyncIterable<Uint8Array> & { destroy?: () => void }, response.ContentLength, wholeReadBound(read, config.limits ?? DEFAULT_STORAGE_REQUEST_LIMITS));
    },
    async headObject(Key) {
      const response = await client.send(new HeadObjectCommand({ Bucket, Key }));
      return { size: response.ContentLength ?? 0, lastModified: response.LastModified ?? new Date(0) };
    },
    async listObjects(Prefix, ContinuationToken) {
      const response = await client.send(new ListObjectsV2Command({ Bucket, Prefix, ContinuationToken }));
      return {
        objects: (response.Contents ?? []).map((item) => ({ key: item.Key ?? '', size: item.Size ?? 0, lastModified: item.LastModified ?? new Date(0) })),
        nextToken: response.IsTruncated ? response.NextContinuationToken : undefined,
      };
    },
    async listObjectVersions(Prefix) {
      const response = await client.send(new ListObjectVersionsCommand({ Bucket, Prefix }));
      return [...(response.Versions ?? []), ...(response.DeleteMarkers ?? [])].map((version) => ({ key: version.Key ?? '', versionId: version.VersionId }));
    },
    async deleteObject(Key, VersionId) {
      await client.send(new DeleteObjectCommand({ Bucket, Key, VersionId }));
    },
    async getObjectRetention(Key) {
      const response = await client.send(new GetObjectRetentionCommand({ Bucket, Key }));
      return response.Retention?.RetainUntilDate;
    },
    async putObjectRetention(Key, until) {
      await client.send(new PutObjectRetentionCommand({ Bucket, Key, Retention: { Mode: 'COMPLIANCE', RetainUntilDate: until } }));
    },
    close: () => client.destroy(),
  };
}
