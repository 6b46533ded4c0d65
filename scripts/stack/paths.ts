import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Everything the running stack writes (data, logs, kubeconfigs, state) lives under one directory. */
export const runDir = resolve(process.env.HAVEN_RUN_DIR ?? join(repoRoot, '.run', 'stack'));

/**
 * Built binaries are cached outside the repository, one folder per component and version, so a
 * fresh clone on a warm machine starts in seconds and two versions never overwrite each other.
 * scripts/runtime.sh computes the same folder in bash for Node itself (`node/<version>/`).
 */
export const cacheDir = resolve(
  process.env.HAVEN_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'haven'),
);

export const logDir = join(runDir, 'logs');
export const stateFile = join(runDir, 'state.json');
