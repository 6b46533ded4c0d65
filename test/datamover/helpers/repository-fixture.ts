import { mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Repository, type InitOptions } from '../../../lib/datamover/repository/repository.js';
import { LocalBackend } from '../../../lib/datamover/storage/local-backend.js';
import type { PutOptions, RetentionPolicy } from '../../../lib/datamover/storage/backend.js';

export const TEST_SECRET = 'test-storage-secret';
/** scrypt at a cost tests can afford; production uses DEFAULT_KDF_COST. */
export const TEST_KDF_COST = 1024;

export async function scratchDir(label: string): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `haven-dm-${label}-`));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

export interface LocalRepositoryOptions extends InitOptions {
  retention?: RetentionPolicy;
  /** The storage server's clock: objects' LastModified (file mtimes) and retention are by it. */
  clock?: () => Date;
}

/**
 * A local directory playing a storage server whose clock is `clock`: every object written gets its mtime
 * (the LastModified GC judges ages by) from it, so a test moves the server's time by moving its clock, and
 * gives GC or a mover a clock of their own to model skew.
 */
class ServerClockBackend extends LocalBackend {
  constructor(
    private readonly directory: string,
    retention: RetentionPolicy | undefined,
    private readonly serverClock: () => Date,
    refuseLinks: boolean,
  ) {
    super(directory, retention, serverClock, refuseLinks);
  }

  override async put(key: string, body: Uint8Array, options?: PutOptions): Promise<void> {
    await super.put(key, body, options);
    const at = this.serverClock();
    await utimes(join(this.directory, ...key.split('/')), at, at);
  }
}

export function localBackend(root: string, options: Pick<LocalRepositoryOptions, 'retention' | 'clock'> & { refuseLinks?: boolean } = {}): LocalBackend {
  const refuseLinks = options.refuseLinks ?? false;
  return options.clock ? new ServerClockBackend(root, options.retention, options.clock, refuseLinks) : new LocalBackend(root, options.retention, undefined, refuseLinks);
}

export async function localRepository(root: string, options: LocalRepositoryOptions = {}): Promise<Repository> {
  return Repository.init(localBackend(root, options), TEST_SECRET, { kdfCost: TEST_KDF_COST, ...options });
}
