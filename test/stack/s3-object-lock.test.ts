import {
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectRetentionCommand,
  PutObjectCommand,
  PutObjectRetentionCommand,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { s3Client, s3Servers } from '../support/s3-servers.js';
import { uniqueName } from '../support/stack-env.js';

// AWS and versitygw refuse with 403 AccessDenied, MinIO with 400 InvalidRequest ("Object is WORM
// protected"): code that deletes reads an object's retention first instead of trusting the refusal.
const lockedDeleteRefusal = { versitygw: 403, minio: 400 } as const;

// versitygw v1.7.0 lets anyone holding the keys move a COMPLIANCE date earlier (it accepts any change that
// keeps the mode), then delete the object once that date passes; AWS and MinIO refuse. So SafeLock's
// promise against a key holder is proven on MinIO only. Recorded here so an upgrade that fixes it shows.
const shortensCompliance = { versitygw: true, minio: false } as const;

describe.each(s3Servers())('S3 server with Object Lock from the local stack: $name', (server) => {
  const s3 = s3Client(server);
  const Bucket = server.bucket;
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
    expect((refusal as S3ServiceException).$metadata.httpStatusCode).toBe(lockedDeleteRefusal[server.name]);

    const still = await s3.send(new GetObjectCommand({ Bucket, Key, VersionId: put.VersionId }));
    expect(await still.Body?.transformToString()).toBe('kept');
  });

  it(`${shortensCompliance[server.name] ? 'lets' : 'refuses to let'} a COMPLIANCE retention date be moved earlier, and extends it`, async () => {
    const Key = `${uniqueName('smoke')}/shortened.txt`;
    const retainUntil = new Date(Date.now() + 24 * 3600 * 1000);
    const put = await s3.send(
      new PutObjectCommand({ Bucket, Key, Body: 'kept', ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: retainUntil }),
    );
    const retain = (until: Date) =>
      s3.send(new PutObjectRetentionCommand({ Bucket, Key, VersionId: put.VersionId, Retention: { Mode: 'COMPLIANCE', RetainUntilDate: until } }));
    const retainedUntil = async () =>
      (await s3.send(new GetObjectRetentionCommand({ Bucket, Key, VersionId: put.VersionId }))).Retention?.RetainUntilDate?.getTime();

    const earlier = new Date(retainUntil.getTime() - 3600 * 1000);
    const shortened = await retain(earlier).then(() => true, () => false);
    expect(shortened).toBe(shortensCompliance[server.name]);
    expect(await retainedUntil()).toBe((shortened ? earlier : retainUntil).getTime());

    const later = new Date(retainUntil.getTime() + 24 * 3600 * 1000);
    await retain(later);
    expect(await retainedUntil()).toBe(later.getTime());
  });

  it('deletes an object that carries no retention', async () => {
    const Key = `${uniqueName('smoke')}/free.txt`;
    const put = await s3.send(new PutObjectCommand({ Bucket, Key, Body: 'temporary' }));
    await s3.send(new DeleteObjectCommand({ Bucket, Key, VersionId: put.VersionId }));
    const gone = await s3.send(new GetObjectCommand({ Bucket, Key, VersionId: put.VersionId })).then(() => 'found', () => 'gone');
    expect(gone).toBe('gone');
  });
});
