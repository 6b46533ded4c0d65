import { spawnSync } from 'node:child_process';
import { getHeapStatistics } from 'node:v8';

const CHILD_MARKER = 'HAVEN_DATAMOVER_HEAP_SET';
/** Share of the memory limit given to V8's heap; the rest is buffers, native code and the index. */
const HEAP_SHARE = 0.35;
const MiB = 1024 * 1024;

/** V8's old-space limit for a mover with this memory limit (`--max-old-space-size`). */
export function oldSpaceMb(memoryLimitBytes: number): number {
  return Math.floor(Math.max(128 * MiB, Math.floor(memoryLimitBytes * HEAP_SHARE)) / MiB);
}

/** The V8 flags that size a mover's heap for its memory limit, for a node command line. */
export function v8HeapFlags(memoryLimitBytes: number): string[] {
  return [`--max-old-space-size=${oldSpaceMb(memoryLimitBytes)}`];
}

/**
 * V8 sizes its heap from the machine, not the container: with 512 MB allowed on a 24 GB node it would let
 * garbage pile up far past the limit before collecting. If the heap limit is too high, rerun this same
 * command with v8HeapFlags and return its exit code (the pod may set NODE_OPTIONS instead and skip the
 * extra process). Returns undefined when the current process should do the work itself.
 */
export function rerunWithHeapLimit(memoryLimitBytes: number): number | undefined {
  if (process.env[CHILD_MARKER] === '1' || heapLimitedTo(oldSpaceMb(memoryLimitBytes))) return undefined;
  const result = spawnSync(process.execPath, [...process.execArgv, ...v8HeapFlags(memoryLimitBytes), ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, [CHILD_MARKER]: '1' },
  });
  return result.status ?? 1;
}

/**
 * Whether this process's old space is at most `mb`. The flag is read where it was given (the command line,
 * or NODE_OPTIONS as the mover pod sets it), because the heap size V8 reports adds the young generation to
 * it: 550 MB for an old space of 358, which read as "too big" made every run start a second process.
 * Without the flag, V8 sized the heap from the machine, and only the reported size can tell.
 */
function heapLimitedTo(mb: number): boolean {
  const given = [...(process.env.NODE_OPTIONS ?? '').split(/\s+/), ...process.execArgv]
    .map((arg) => /^--max[-_]old[-_]space[-_]size=(\d+)$/.exec(arg)?.[1])
    .filter((value) => value !== undefined)
    .at(-1);
  if (given !== undefined) return Number(given) <= mb;
  return getHeapStatistics().heap_size_limit <= mb * MiB;
}
