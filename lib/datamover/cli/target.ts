import type { LookupFunction } from 'node:net';
import { InvalidArgumentError } from '../errors.js';
import type { RetentionPolicy, StorageBackend } from '../storage/backend.js';
import { LocalBackend } from '../storage/local-backend.js';
import type { StorageRequestLimits } from '../storage/request-limits.js';

export interface TargetSettings {
  /** A directory, or `s3://bucket/prefix`. */
  repository: string;
  s3Endpoint?: string;
  s3Region: string;
  s3PathStyle: boolean;
  s3AccessKeyId?: string;
  s3SecretAccessKey?: string;
  retentionDays?: number;
  /** Deadlines and answer sizes of S3 requests; the defaults of request-limits.ts when not given. */
  limits?: StorageRequestLimits;
  /** How S3 connections resolve host names (see S3TargetConfig.lookup). */
  lookup?: LookupFunction;
  /** A directory repository refuses symbolic links below its root (see LocalBackend). */
  refuseLinks?: boolean;
}

/** S3 modules load only for S3 targets (and the SDK, hundreds of modules, only when S3Backend needs it). */
export async function openBackend(settings: TargetSettings): Promise<StorageBackend> {
  const retention: RetentionPolicy | undefined = settings.retentionDays ? { days: settings.retentionDays } : undefined;
  const s3 = /^s3:\/\/([^/]+)\/?(.*)$/.exec(settings.repository);
  if (!s3) {
    if (settings.repository.includes('://')) throw new InvalidArgumentError(`unsupported repository location ${settings.repository}`);
    return new LocalBackend(settings.repository, retention, undefined, settings.refuseLinks ?? false);
  }
  const { S3Backend } = await import('../storage/s3-backend.js');
  return new S3Backend({
    bucket: s3[1]!,
    prefix: s3[2] ?? '',
    region: settings.s3Region,
    endpoint: settings.s3Endpoint,
    forcePathStyle: settings.s3PathStyle,
    accessKeyId: settings.s3AccessKeyId,
    secretAccessKey: settings.s3SecretAccessKey,
    retention,
    ...(settings.limits ? { limits: settings.limits } : {}),
    ...(settings.lookup ? { lookup: settings.lookup } : {}),
  });
}
