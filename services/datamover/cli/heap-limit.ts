import { spawnSync } from 'node:child_process';
import { getHeapStatistics } from 'node:v8';

const CHILD_MARKER = 'HAVEN_DATAMOVER_HEAP_SET';
/** Share of the memory limit given to V8's heap; the rest is buffers, native code and the index. */
const HEAP_SHARE = 0.35;
const MiB = 1024 * 1024;

/**
 * V8 sizes its heap from the machine, not the container: with 512 MB allowed on a 24 GB node it would let
 * garbage pile up far past the limit before collecting. If the heap limit is too high, rerun this same
 * command with `--max-old-space-size` and return its exit code (the pod may set NODE_OPTIONS instead and
 * skip the extra process). Returns undefined when the current process should do the work itself.
 */
export function rerunWithHeapLimit(memoryLimitBytes: number): number | undefined {
  const wanted = Math.max(128 * MiB, Math.floor(memoryLimitBytes * HEAP_SHARE));
  if (process.env[CHILD_MARKER] === '1' || getHeapStatistics().heap_size_limit <= wanted * 1.25) return undefined;
  const result = spawnSync(process.execPath, [...process.execArgv, `--max-old-space-size=${Math.floor(wanted / MiB)}`, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, [CHILD_MARKER]: '1' },
  });
  return result.status ?? 1;
}
