import { CreateBucketCommand, HeadBucketCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { StackComponentError } from './progress.js';

/** A stack S3 server as its administrator reaches it. */
export interface S3Admin {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
}

function client(admin: S3Admin): S3Client {
  return new S3Client({
    endpoint: admin.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: admin.accessKeyId, secretAccessKey: admin.secretAccessKey },
    maxAttempts: 1,
  });
}

/** Whether the server answers HeadBucket at all: any S3 answer, even NotFound, proves it is up. */
export async function s3Answers(admin: S3Admin, bucket: string): Promise<boolean> {
  const s3 = client(admin);
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return true;
  } catch (err) {
    return err instanceof S3ServiceException;
  } finally {
    s3.destroy();
  }
}

export async function bucketReady(admin: S3Admin, bucket: string): Promise<boolean> {
  const s3 = client(admin);
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return true;
  } catch {
    return false;
  } finally {
    s3.destroy();
  }
}

/**
 * Object Lock can only be enabled when a bucket is created (it also turns versioning on), so the bucket
 * is created with it or without it or, on a restart over the same data, is the one created so before.
 */
export async function ensureBucket(component: string, admin: S3Admin, bucket: string, logFile: string, { objectLock }: { objectLock: boolean }): Promise<void> {
  const s3 = client(admin);
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: objectLock }));
  } catch (err) {
    const name = err instanceof S3ServiceException ? err.name : '';
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') {
      throw new StackComponentError(component, `could not create bucket ${bucket}${objectLock ? ' with object lock' : ''}: ${String(err)}`, logFile);
    }
  } finally {
    s3.destroy();
  }
}
