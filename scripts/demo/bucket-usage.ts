import { ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import type { StackStorage } from './registration.js';

/**
 * Bytes the bucket holds under a prefix (every object version: an Object Lock bucket keeps them all).
 * The API reports what a backup read and what was new to the repository, but not what the packs took
 * after compression; the demo measures that in the bucket itself, before and after the backup.
 */
export async function storedBytes(stack: StackStorage, prefix: string): Promise<number> {
  const s3 = new S3Client({
    endpoint: stack.S3_ENDPOINT,
    region: stack.S3_REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: stack.S3_ACCESS_KEY_ID, secretAccessKey: stack.S3_SECRET_ACCESS_KEY },
  });
  try {
    let total = 0;
    let keyMarker: string | undefined;
    let versionIdMarker: string | undefined;
    for (;;) {
      const page = await s3.send(new ListObjectVersionsCommand({ Bucket: stack.S3_BUCKET, Prefix: `${prefix}/`, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker }));
      for (const version of page.Versions ?? []) total += version.Size ?? 0;
      if (!page.IsTruncated) return total;
      keyMarker = page.NextKeyMarker;
      versionIdMarker = page.NextVersionIdMarker;
    }
  } finally {
    s3.destroy();
  }
}
