import { readdir, readFile } from 'node:fs/promises';
import { MOVER_BUNDLE_ENTRY } from '../../../lib/common/haven-image.js';

/**
 * Pids of the mover processes the node emulator runs for a job (or for every job of a cluster, given its
 * id), found by the task queue in their
 * environment (`mover.<cluster>.<job>.<n>`): the emulator runs each pod's container as a local process.
 */
export async function moverProcesses(jobId: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const environ = await readFile(`/proc/${entry}/environ`, 'latin1').catch(() => '');
    const queue = environ.split('\0').find((v) => v.startsWith('HAVEN_MOVER_TASK_QUEUE='));
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'latin1').catch(() => '');
    if (queue?.includes(`.${jobId}.`) && cmdline.includes(MOVER_BUNDLE_ENTRY)) pids.push(Number(entry));
  }
  return pids;
}
