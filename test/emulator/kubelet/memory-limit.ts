import { readdir, readFile } from 'node:fs/promises';
import type { ChildProcess } from 'node:child_process';

/** How often a container's memory is measured: spikes shorter than this go unseen (see README). */
const POLL_MS = 100;
const PAGE_BYTES = 4096;

/** Resident bytes of every process in a process group (a container's process tree: its group). */
export async function groupResidentBytes(pgid: number): Promise<number> {
  let total = 0;
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      // Fields after the parenthesised command name: state, ppid, pgrp, …
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid) continue;
      const statm = await readFile(`/proc/${entry}/statm`, 'utf8');
      total += Number(statm.split(' ')[1]) * PAGE_BYTES;
    } catch {
      // The process exited between listing and reading.
    }
  }
  return total;
}

/**
 * Plays the memory cgroup's OOM killer without a cgroup: measures the container's process tree and
 * SIGKILLs the whole group once it holds more than the limit. Calls `onKill` before signalling, so the
 * exit that follows is reported as OOMKilled.
 */
export function watchMemory(child: ChildProcess, limitBytes: number, onKill: () => void): () => void {
  const pgid = child.pid;
  if (pgid === undefined) return () => {};
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const check = async () => {
    if (stopped) return;
    if ((await groupResidentBytes(pgid)) > limitBytes && !stopped) {
      stopped = true;
      onKill();
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // Already gone.
      }
      return;
    }
    if (!stopped) timer = setTimeout(() => void check(), POLL_MS);
  };
  void check();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
