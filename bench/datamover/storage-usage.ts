import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { Location, S3Settings } from './tools.js';

export interface Usage {
  bytes: number;
  objects: number;
}

async function directoryUsage(path: string): Promise<Usage> {
  const usage: Usage = { bytes: 0, objects: 0 };
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) {
      const inner = await directoryUsage(child);
      usage.bytes += inner.bytes;
      usage.objects += inner.objects;
    } else if (entry.isFile()) {
      usage.bytes += (await stat(child)).size;
      usage.objects++;
    }
  }
  return usage;
}

async function bucketUsage(s3: S3Settings, prefix: string): Promise<Usage> {
  const client = new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
  const usage: Usage = { bytes: 0, objects: 0 };
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `${prefix}/`, ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      usage.bytes += object.Size ?? 0;
      usage.objects++;
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return usage;
}

export function storageUsage(location: Location, s3: S3Settings | undefined): Promise<Usage> {
  return location.kind === 's3' ? bucketUsage(s3!, location.path) : directoryUsage(location.path);
}
