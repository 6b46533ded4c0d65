import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { Repository } from '../../../lib/datamover/repository/repository.js';
import type { StorageBackend } from '../../../lib/datamover/storage/backend.js';
import { localRepository, scratchDir, type LocalRepositoryOptions } from './repository-fixture.js';

/** Sorted, so tests can compare listings whatever order the backend lists in. */
export async function keysUnder(repository: Repository, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of repository.backend.list(prefix)) keys.push(object.key);
  return keys.sort();
}

/**
 * How a test makes a store misbehave, or watches it, at one method while the rest stays the real backend's.
 * The other methods are bound to the backend, since the code under test calls them detached.
 */
export function withOverrides(backend: StorageBackend, overrides: Partial<StorageBackend>): StorageBackend {
  return new Proxy(backend, {
    get(target, property) {
      const override = (overrides as Record<PropertyKey, unknown>)[property];
      if (override) return override;
      const value = Reflect.get(target, property) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

export interface ManualClock {
  clock: () => Date;
  advance: (ms: number) => void;
  set: (ms: number) => void;
}

/** Time that moves only when a test moves it, so grace periods and stale locks pass without waiting. */
export function manualClock(start = Date.now()): ManualClock {
  let now = start;
  return {
    clock: () => new Date(now),
    advance: (ms) => {
      now += ms;
    },
    set: (ms) => {
      now = ms;
    },
  };
}

/**
 * A fresh scratch directory for every test of the calling `describe`, removed after the test, so no test sees
 * another's files. Register it before the suite's own `beforeEach`, which then sees the directory.
 */
export function scratchDirPerTest(label: string): { readonly path: string } {
  let scratch: Awaited<ReturnType<typeof scratchDir>> | undefined;
  beforeEach(async () => {
    scratch = await scratchDir(label);
  });
  afterEach(async () => {
    await scratch?.cleanup();
    scratch = undefined;
  });
  return {
    get path() {
      if (!scratch) throw new Error(`the scratch directory of ${label} exists only while a test runs`);
      return scratch.path;
    },
  };
}

export interface RepositoryScene extends ManualClock {
  /** The test's scratch directory, for source trees and restores beside the repository. */
  readonly path: string;
  /** The repository's directory, for a second backend (another mover, a hooked store) on the same storage. */
  readonly root: string;
  readonly repository: Repository;
}

/**
 * A fresh local repository in a scratch directory for every test of the calling `describe`, on a storage
 * server whose clock is the scene's: a test moves the server's time with `advance`, and hands GC or a mover
 * a clock of their own to model skew. Register it before the suite's own `beforeEach`, which then sees the
 * repository.
 */
export function repositoryScene(label: string, options: Omit<LocalRepositoryOptions, 'clock'> = {}): RepositoryScene {
  const scratch = scratchDirPerTest(label);
  const time = manualClock();
  let repository: Repository | undefined;

  beforeEach(async () => {
    time.set(Date.now());
    repository = await localRepository(join(scratch.path, 'repo'), { ...options, clock: time.clock });
  });
  afterEach(() => {
    repository = undefined;
  });

  return {
    ...time,
    get path() {
      return scratch.path;
    },
    get root() {
      return join(scratch.path, 'repo');
    },
    get repository() {
      if (!repository) throw new Error(`the repository of ${label} exists only while a test runs`);
      return repository;
    },
  };
}
