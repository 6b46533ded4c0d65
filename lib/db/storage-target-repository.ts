import type { SecretKeyring } from '../common/secrets.js';
import type { storageTargets } from './schema/index.js';
import { readCredentials } from './storage-target-secrets.js';

/** The repository sits in its own folder under the target's prefix, leaving room beside it. */
export const REPOSITORY_FOLDER = 'repository';

type TargetRow = typeof storageTargets.$inferSelect;

function locationOf(row: TargetRow): string {
  const config = row.config as Record<string, unknown>;
  if (row.kind === 'FILESYSTEM') return `${String(config.path).replace(/\/+$/, '')}/${REPOSITORY_FOLDER}`;
  const prefix = String(config.prefix ?? '').replace(/^\/+|\/+$/g, '');
  return `s3://${String(config.bucket)}/${prefix ? `${prefix}/` : ''}${REPOSITORY_FOLDER}`;
}

/** How to open a target's repository (the agent contract's RepositoryAccess): where it is, with what keys. */
export interface TargetRepository {
  storageTargetId: string;
  location: string;
  s3?: { endpoint: string; region: string; pathStyle: boolean; accessKeyId: string; secretAccessKey: string };
  secret: string;
  retentionDays?: number;
}

/** A target's repository from its row and its decrypted repository secret; SafeLock's retention when asked. */
export function targetRepository(keyring: SecretKeyring, row: TargetRow, secret: string, retention: { days: number; safeLock: boolean }): TargetRepository {
  const config = row.config as Record<string, unknown>;
  const credentials = readCredentials(keyring, row);
  return {
    storageTargetId: row.id,
    location: locationOf(row),
    ...(row.kind === 'S3'
      ? {
          s3: {
            endpoint: String(config.endpoint),
            region: String(config.region),
            pathStyle: Boolean(config.pathStyle),
            accessKeyId: credentials?.accessKeyId ?? '',
            secretAccessKey: credentials?.secretAccessKey ?? '',
          },
        }
      : {}),
    secret,
    ...(retention.safeLock ? { retentionDays: retention.days } : {}),
  };
}
