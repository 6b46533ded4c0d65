import { createS3Target } from '../../api/helpers/fixtures.js';
import { s3Server, type S3Server } from '../../support/s3-servers.js';
import { uniqueName } from '../../support/stack-env.js';
import type { BackupStack } from './backup-stack.js';

/** A storage target on a stack S3 bucket under its own prefix, so every test file has its own repository. */
export async function createStackS3Target(stack: BackupStack, name: string, server: S3Server = s3Server('versitygw')): Promise<string> {
  const target = await createS3Target(stack.client, {
    endpoint: server.endpoint,
    region: server.region,
    bucket: server.bucket,
    pathStyle: true,
    prefix: `tests/${uniqueName(name)}`,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
  });
  return target.id;
}
