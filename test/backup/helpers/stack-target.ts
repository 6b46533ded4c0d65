import { createS3Target } from '../../api/helpers/fixtures.js';
import { stackEnv, uniqueName } from '../../support/stack-env.js';
import type { BackupStack } from './backup-stack.js';

/** A storage target on the stack's S3 bucket under its own prefix, so every test file has its own repository. */
export async function createStackS3Target(stack: BackupStack, name: string): Promise<string> {
  const target = await createS3Target(stack.client, {
    endpoint: stackEnv('S3_ENDPOINT'),
    region: stackEnv('S3_REGION'),
    bucket: stackEnv('S3_BUCKET'),
    pathStyle: true,
    prefix: `tests/${uniqueName(name)}`,
    credentials: { accessKeyId: stackEnv('S3_ACCESS_KEY_ID'), secretAccessKey: stackEnv('S3_SECRET_ACCESS_KEY') },
  });
  return target.id;
}
