import { readFileSync } from 'node:fs';
import { status } from '../../scripts/stack/stack.js';

/** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

function processCpuSeconds(pid: number): number {
  try {
    // Fields after the command name (which may hold spaces) start at its closing parenthesis.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/**
 * CPU seconds used so far by this process and by the stack's first cluster (etcd, kube-apiserver,
 * controller manager). On a shared machine wall time says how busy the others were; CPU per object
 * says what the work itself costs, on either side of the API.
 */
export function cpuSeconds(): { bench: number; cluster: number } {
  const usage = process.cpuUsage();
  const pids = status().components['kube-a']?.pids ?? [];
  return { bench: (usage.user + usage.system) / 1e6, cluster: pids.reduce((sum, pid) => sum + processCpuSeconds(pid), 0) };
}
