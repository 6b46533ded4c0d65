import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Repository, type InitOptions } from '../../../lib/datamover/repository/repository.js';
import { LocalBackend } from '../../../lib/datamover/storage/local-backend.js';
import type { RetentionPolicy } from '../../../lib/datamover/storage/backend.js';

export const TEST_SECRET = 'test-storage-secret';
/** scrypt at a cost tests can afford; production uses DEFAULT_KDF_COST. */
export const TEST_KDF_COST = 1024;

export async function scratchDir(label: string): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `haven-dm-${label}-`));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

export interface LocalRepositoryOptions extends InitOptions {
  retention?: RetentionPolicy;
  clock?: () => Date;
}

export async function localRepository(root: string, options: LocalRepositoryOptions = {}): Promise<Repository> {
  const backend = new LocalBackend(root, options.retention, options.clock);
  return Repository.init(backend, TEST_SECRET, { kdfCost: TEST_KDF_COST, ...options });
}
