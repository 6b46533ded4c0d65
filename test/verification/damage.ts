import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { REPOSITORY_FOLDER } from '../../activities/control/repository-access.js';
import { s3Client, s3Server } from '../support/s3-servers.js';

/**
 * Flips bytes in the middle of one pack of the repository under the target's `prefix` on the stack's S3 server, as a
 * failing disk or a careless hand would, and answers the pack's key as the repository names it. The
 * length is kept, so only reading the data can tell.
 */
export async function damageOnePack(prefix: string): Promise<string> {
  const server = s3Server('versitygw');
  const s3 = s3Client(server);
  const root = `${prefix}/${REPOSITORY_FOLDER}`;
  try {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: server.bucket, Prefix: `${root}/packs/` }));
    const largest = (listed.Contents ?? []).sort((a, b) => (b.Size ?? 0) - (a.Size ?? 0))[0];
    if (!largest?.Key) throw new Error(`no pack under ${root}/packs/`);
    const object = await s3.send(new GetObjectCommand({ Bucket: server.bucket, Key: largest.Key }));
    const bytes = Buffer.from(await object.Body!.transformToByteArray());
    const middle = Math.floor(bytes.length / 3);
    for (let i = middle; i < Math.min(bytes.length, middle + 64); i++) bytes[i] = bytes[i]! ^ 0xff;
    await s3.send(new PutObjectCommand({ Bucket: server.bucket, Key: largest.Key, Body: bytes }));
    return largest.Key.slice(root.length + 1);
  } finally {
    s3.destroy();
  }
}
