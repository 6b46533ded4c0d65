import { spawnSync } from 'node:child_process';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';

const CHILD_MARKER = 'HAVEN_DATAMOVER_HEAP_SET';
/** Share of the memory limit given to V8's heap; the rest is buffers, native code and the index. */
const HEAP_SHARE = 0.35;
const MiB = 1024 * 1024;

/** V8's old-space limit for a mover with this memory limit (`--max-old-space-size`). */
export function oldSpaceMb(memoryLimitBytes: number): number {
  return Math.floor(Math.max(128 * MiB, Math.floor(memoryLimitBytes * HEAP_SHARE)) / MiB);
}

/**
 * Semi-space size every isolate starts with: V8's usual maximum (16 MB) from a 1 GB limit up, less below.
 * Starting at 1 MB, a young generation collects every few hundred KB of garbage: an unchanged re-run over
 * 50k entries made 42 scavenges on the walk thread and 21 on the main thread, against 7 and 10 starting
 * at 16 MB (about 70 ms of CPU). Pages are committed only as they are used.
 */
function semiSpaceMb(memoryLimitBytes: number): number {
  return Math.max(1, Math.min(16, Math.floor(memoryLimitBytes / MiB / 64)));
}

/** The V8 flags that size a mover's heap for its memory limit, for a node command line. */
export function v8HeapFlags(memoryLimitBytes: number): string[] {
  return [`--max-old-space-size=${oldSpaceMb(memoryLimitBytes)}`, `--min-semi-space-size=${semiSpaceMb(memoryLimitBytes)}`];
}

/**
 * Sizes the young generation of isolates created from now on (worker threads), for processes started
 * without v8HeapFlags: the flag is not allowed in NODE_OPTIONS, which is how the mover pod sizes its heap.
 */
export function sizeWorkerYoungGenerations(memoryLimitBytes: number): void {
  setFlagsFromString(`--min-semi-space-size=${semiSpaceMb(memoryLimitBytes)}`);
}

/**
 * V8 sizes its heap from the machine, not the container: with 512 MB allowed on a 24 GB node it would let
 * garbage pile up far past the limit before collecting. If the heap limit is too high, rerun this same
 * command with v8HeapFlags and return its exit code (the pod may set NODE_OPTIONS instead and skip the
 * extra process). Returns undefined when the current process should do the work itself.
 */
export function rerunWithHeapLimit(memoryLimitBytes: number): number | undefined {
  if (process.env[CHILD_MARKER] === '1' || getHeapStatistics().heap_size_limit <= oldSpaceMb(memoryLimitBytes) * MiB * 1.25) {
    sizeWorkerYoungGenerations(memoryLimitBytes);
    return undefined;
  }
  const result = spawnSync(process.execPath, [...process.execArgv, ...v8HeapFlags(memoryLimitBytes), ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, [CHILD_MARKER]: '1' },
  });
  return result.status ?? 1;
}
