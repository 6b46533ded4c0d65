import { S3Client } from '@aws-sdk/client-s3';
import { stackEnv } from './stack-env.js';

/** An S3 server of the local stack with its Object Lock bucket, as its environment variables describe it. */
export interface S3Server {
  name: 'versitygw' | 'minio';
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
}

const envPrefixes: Record<S3Server['name'], string> = { versitygw: 'S3_', minio: 'MINIO_S3_' };

export function s3Server(name: S3Server['name']): S3Server {
  const prefix = envPrefixes[name];
  return {
    name,
    endpoint: stackEnv(`${prefix}ENDPOINT`),
    region: stackEnv(`${prefix}REGION`),
    bucket: stackEnv(`${prefix}BUCKET`),
    accessKeyId: stackEnv(`${prefix}ACCESS_KEY_ID`),
    secretAccessKey: stackEnv(`${prefix}SECRET_ACCESS_KEY`),
  };
}

/**
 * Every S3 implementation the stack runs. Object Lock is where servers read the API differently, so the
 * tests of what it guarantees run against each of them (`describe.each(s3Servers())`).
 */
export function s3Servers(): S3Server[] {
  return (Object.keys(envPrefixes) as S3Server['name'][]).map(s3Server);
}

export function s3Client(server: S3Server): S3Client {
  return new S3Client({
    endpoint: server.endpoint,
    region: server.region,
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
  });
}
