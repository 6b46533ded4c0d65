import {
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectRetentionCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { stackEnv, uniqueName } from '../support/stack-env.js';

describe('S3 server with Object Lock from the local stack', () => {
  const s3 = new S3Client({
    endpoint: stackEnv('S3_ENDPOINT'),
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: stackEnv('S3_ACCESS_KEY_ID'), secretAccessKey: stackEnv('S3_SECRET_ACCESS_KEY') },
  });
  const Bucket = stackEnv('S3_BUCKET');
  afterAll(() => s3.destroy());

  it('refuses to delete an object version before its retention date', async () => {
    const Key = `${uniqueName('smoke')}/locked.txt`;
    const retainUntil = new Date(Date.now() + 24 * 3600 * 1000);
    const put = await s3.send(
      new PutObjectCommand({ Bucket, Key, Body: 'kept', ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: retainUntil }),
    );
    expect(put.VersionId).toBeTruthy();

    const retention = await s3.send(new GetObjectRetentionCommand({ Bucket, Key, VersionId: put.VersionId }));
    expect(retention.Retention?.Mode).toBe('COMPLIANCE');
    expect(Math.abs((retention.Retention?.RetainUntilDate?.getTime() ?? 0) - retainUntil.getTime())).toBeLessThan(1000);

    const refusal = await s3
      .send(new DeleteObjectCommand({ Bucket, Key, VersionId: put.VersionId }))
      .then(() => undefined, (err: unknown) => err);
    expect(refusal).toBeInstanceOf(S3ServiceException);
    expect((refusal as S3ServiceException).$metadata.httpStatusCode).toBe(403);

    const still = await s3.send(new GetObjectCommand({ Bucket, Key, VersionId: put.VersionId }));
    expect(await still.Body?.transformToString()).toBe('kept');
  });

  it('deletes an object that carries no retention', async () => {
    const Key = `${uniqueName('smoke')}/free.txt`;
    const put = await s3.send(new PutObjectCommand({ Bucket, Key, Body: 'temporary' }));
    await s3.send(new DeleteObjectCommand({ Bucket, Key, VersionId: put.VersionId }));
    const gone = await s3.send(new GetObjectCommand({ Bucket, Key, VersionId: put.VersionId })).then(() => 'found', () => 'gone');
    expect(gone).toBe('gone');
  });
});
