import { createHash } from 'node:crypto';
import { isRange, type ByteRange, type WholeRead } from './backend.js';
import type { StorageRequestLimits } from './request-limits.js';
import { xmlElements, xmlValue } from './s3-answers.js';
import type { S3PlainHttp } from './s3-plain-http.js';

/**
 * The S3 calls the backend makes, on full keys (prefix included). Two implementations: plain HTTP
 * (s3-plain-http.ts) and the SDK (s3-sdk-operations.ts). Both throw SDK-shaped errors (`name`,
 * `$metadata.httpStatusCode`), which the backend classifies; neither retries.
 */
export interface S3Operations {
  putObject(key: string, body: Uint8Array, options: { ifAbsent?: boolean; lockUntil?: Date }): Promise<void>;
  /** A whole read is bounded by the smaller of `maxBytes` and the limits' maxObjectBytes. */
  getObject(key: string, read?: ByteRange | WholeRead): Promise<Buffer>;
  headObject(key: string): Promise<{ size: number; lastModified: Date }>;
  listObjects(prefix: string, continuationToken?: string): Promise<ObjectPage>;
  /** Versions and delete markers whose key starts with `prefix`. */
  listObjectVersions(prefix: string): Promise<{ key: string; versionId?: string }[]>;
  deleteObject(key: string, versionId?: string): Promise<void>;
  /** The object's retention date; throws (not found, no lock configuration) like GetObjectRetention. */
  getObjectRetention(key: string): Promise<Date | undefined>;
  /** Sets COMPLIANCE retention until `until`; S3 refuses to shorten one, so only call it to extend. */
  putObjectRetention(key: string, until: Date): Promise<void>;
  close(): void;
}

interface ObjectPage {
  objects: { key: string; size: number; lastModified: Date }[];
  nextToken?: string;
}

export function plainHttpOperations(http: S3PlainHttp, limits: StorageRequestLimits): S3Operations {
  return {
    async putObject(key, body, { ifAbsent, lockUntil }) {
      // Object Lock requires an integrity header on PUT; it is cheap, so every PUT carries one.
      const headers: Record<string, string> = { 'content-md5': md5Base64(body) };
      if (ifAbsent) headers['if-none-match'] = '*';
      if (lockUntil) {
        headers['x-amz-object-lock-mode'] = 'COMPLIANCE';
        headers['x-amz-object-lock-retain-until-date'] = lockUntil.toISOString();
      }
      await http.send({ operation: 'PutObject', method: 'PUT', key, headers, body });
    },
    async getObject(key, read) {
      const range = isRange(read) ? read : undefined;
      const headers: Record<string, string> = range ? { range: `bytes=${range.offset}-${range.offset + range.length - 1}` } : {};
      return (await http.send({ operation: 'GetObject', method: 'GET', key, headers, into: range?.into, maxBytes: range ? range.length : wholeReadBound(read, limits) })).body;
    },
    async headObject(key) {
      const { headers } = await http.send({ operation: 'HeadObject', method: 'HEAD', key });
      return { size: Number(headers.get('content-length') ?? 0), lastModified: new Date(headers.get('last-modified') ?? 0) };
    },
    async listObjects(prefix, continuationToken) {
      const query: Record<string, string> = { 'list-type': '2', prefix };
      if (continuationToken) query['continuation-token'] = continuationToken;
      const xml = (await http.send({ operation: 'ListObjectsV2', method: 'GET', query })).body.toString('utf8');
      const objects = xmlElements(xml, 'Contents').map((item) => ({
        key: xmlValue(item, 'Key') ?? '',
        size: Number(xmlValue(item, 'Size') ?? 0),
        lastModified: new Date(xmlValue(item, 'LastModified') ?? 0),
      }));
      const truncated = xmlValue(xml, 'IsTruncated') === 'true';
      return { objects, nextToken: truncated ? xmlValue(xml, 'NextContinuationToken') : undefined };
    },
    async listObjectVersions(prefix) {
      const xml = (await http.send({ operation: 'ListObjectVersions', method: 'GET', query: { versions: '', prefix } })).body.toString('utf8');
      return [...xmlElements(xml, 'Version'), ...xmlElements(xml, 'DeleteMarker')].map((item) => ({
        key: xmlValue(item, 'Key') ?? '',
        versionId: xmlValue(item, 'VersionId'),
      }));
    },
    async deleteObject(key, versionId) {
      await http.send({ operation: 'DeleteObject', method: 'DELETE', key, query: versionId === undefined ? {} : { versionId } });
    },
    async getObjectRetention(key) {
      const xml = (await http.send({ operation: 'GetObjectRetention', method: 'GET', key, query: { retention: '' } })).body.toString('utf8');
      const until = xmlValue(xml, 'RetainUntilDate');
      return until === undefined ? undefined : new Date(until);
    },
    async putObjectRetention(key, until) {
      const body = Buffer.from(`<Retention xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Mode>COMPLIANCE</Mode><RetainUntilDate>${until.toISOString()}</RetainUntilDate></Retention>`);
      await http.send({ operation: 'PutObjectRetention', method: 'PUT', key, query: { retention: '' }, headers: { 'content-md5': md5Base64(body), 'content-type': 'application/xml' }, body });
    },
    close: () => http.close(),
  };
}

/** The bound of a whole read: its object kind's, never past the limits' bound for any object. */
export function wholeReadBound(read: ByteRange | WholeRead | undefined, limits: StorageRequestLimits): number {
  return Math.min(read && 'maxBytes' in read ? read.maxBytes : limits.maxObjectBytes, limits.maxObjectBytes);
}

function md5Base64(body: Uint8Array): string {
  return createHash('md5').update(body).digest('base64');
}
