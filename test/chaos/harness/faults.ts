import { setTimeout as sleep } from 'node:timers/promises';
import { moverProcesses } from '../../backup/helpers/mover-processes.js';
import type { HavenProcessName, HavenSession } from './haven-session.js';
import type { SeededRandom } from '../../support/seeded-random.js';

/** What the driver does to the installation while a run is in flight. */
export const FAULT_KINDS = ['worker', 'agent', 'mover', 'api', 'temporal', 'postgres'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** When in a run the fault strikes, and how long the crashed component stays down. */
const STRIKE_AFTER_MS = { min: 300, max: 8_000 };
const DOWNTIME_MS = { min: 200, max: 4_000 };
/** A mover is waited for this long; a run that never starts one (no data to copy yet) gets no mover fault. */
const MOVER_WAIT_MS = 60_000;

export interface InjectedFault {
  kind: FaultKind;
  /** False when the run ended (or never started a mover) before the fault could strike. */
  injected: boolean;
  atMs: number;
  downtimeMs: number;
  detail: string;
}

/**
 * Strikes once, at a seeded moment of the run: SIGKILL of one of Haven's processes (started again after a
 * seeded downtime), SIGKILL of the mover processes copying for the session's cluster, or a restart of
 * Temporal or Postgres. `running` says whether the run is still in flight.
 */
export async function strike(session: HavenSession, kind: FaultKind, random: SeededRandom, running: () => boolean): Promise<InjectedFault> {
  const atMs = random.between(STRIKE_AFTER_MS.min, STRIKE_AFTER_MS.max);
  const downtimeMs = random.between(DOWNTIME_MS.min, DOWNTIME_MS.max);
  const fault = { kind, atMs, downtimeMs };
  await sleep(atMs);
  if (!running()) return { ...fault, injected: false, detail: 'the run ended first' };
  if (kind === 'temporal') {
    await session.servers.restartTemporal(downtimeMs);
    return { ...fault, injected: true, detail: 'Temporal restarted' };
  }
  if (kind === 'postgres') {
    await session.servers.restartPostgres(downtimeMs);
    return { ...fault, injected: true, detail: 'Postgres restarted' };
  }
  if (kind === 'mover') return killMovers(session, fault, running);
  await session.processes.kill(kind);
  await sleep(downtimeMs);
  await session.restart(kind as HavenProcessName);
  return { ...fault, injected: true, detail: `${kind} SIGKILLed, started again after ${downtimeMs} ms` };
}

async function killMovers(session: HavenSession, fault: Omit<InjectedFault, 'injected' | 'detail'>, running: () => boolean): Promise<InjectedFault> {
  const deadline = Date.now() + MOVER_WAIT_MS;
  let pids: number[] = [];
  while (running() && Date.now() < deadline && (pids = await moverProcesses(session.clusterId)).length === 0) await sleep(100);
  if (pids.length === 0) return { ...fault, injected: false, detail: 'no mover ran while the fault waited' };
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Exited on its own between the listing and the kill: nothing to crash.
    }
  }
  return { ...fault, injected: true, detail: `${pids.length} mover process(es) SIGKILLed` };
}
