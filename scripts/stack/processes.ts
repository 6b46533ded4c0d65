import { spawn, type SpawnOptions } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { StackComponentError } from './progress.js';

const spawned: { component: string; pid: number }[] = [];

/** Pids this process started for a component, so a failed start can be cleaned up without a state entry. */
export function spawnedFor(component: string): number[] {
  return spawned.filter((s) => s.component === component || s.component.startsWith(`${component} `)).map((s) => s.pid);
}

export interface DaemonSpec {
  component: string;
  command: string;
  args: string[];
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  uid?: number;
  gid?: number;
}

/**
 * Starts a long-running server in its own process group, detached from this script, with its output
 * in a log file. Returns the group leader's pid, which is what `stop` signals.
 */
export function startDaemon(spec: DaemonSpec): number {
  if (!existsSync(spec.command)) throw new StackComponentError(spec.component, `program ${spec.command} is missing`);
  mkdirSync(dirname(spec.logFile), { recursive: true });
  const log = openSync(spec.logFile, 'a');
  const options: SpawnOptions = {
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, ...spec.env },
    ...(spec.cwd ? { cwd: spec.cwd } : {}),
    ...(spec.uid !== undefined ? { uid: spec.uid } : {}),
    ...(spec.gid !== undefined ? { gid: spec.gid } : {}),
  };
  const child = spawn(spec.command, spec.args, options);
  closeSync(log);
  // Spawn failures surface through the pid check and the readiness wait, which name the log file.
  child.on('error', () => undefined);
  if (child.pid === undefined) throw new StackComponentError(spec.component, `could not start ${spec.command}`, spec.logFile);
  child.unref();
  spawned.push({ component: spec.component, pid: child.pid });
  return child.pid;
}

/** True when `pid` is alive and still runs the program we started (pids get reused across reboots). */
export function isRunning(pid: number, programHint: string): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && cmdline.includes(programHint);
  } catch {
    return false;
  }
}

/** Stops a process group started by `startDaemon`: TERM, then KILL if it lingers. */
export async function stopGroup(pid: number, graceMs = 10_000): Promise<void> {
  const signal = (sig: NodeJS.Signals): boolean => {
    try {
      process.kill(-pid, sig);
      return true;
    } catch {
      return false;
    }
  };
  if (!signal('SIGTERM')) return;
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!signal(0 as unknown as NodeJS.Signals)) return;
    await sleep(100);
  }
  signal('SIGKILL');
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion, capturing its output; never throws for a non-zero exit. */
export function run(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; uid?: number; gid?: number; input?: string } = {},
): Promise<RunResult> {
  return new Promise((resolveRun) => {
    const child = spawn(command, args, {
      env: { ...process.env, ...options.env },
      ...(options.cwd ? { cwd: options.cwd } : {}),
      ...(options.uid !== undefined ? { uid: options.uid } : {}),
      ...(options.gid !== undefined ? { gid: options.gid } : {}),
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) => resolveRun({ code: 127, stdout, stderr: stderr + String(err) }));
    child.on('close', (code) => resolveRun({ code: code ?? 1, stdout, stderr }));
    if (options.input !== undefined && child.stdin) {
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input);
    }
  });
}

/** Polls `check` until it returns true; on timeout the error names the component and its log. */
export async function waitUntil(
  component: string,
  what: string,
  check: () => Promise<boolean>,
  options: { timeoutMs: number; logFile?: string; alive?: () => boolean },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    if (options.alive && !options.alive()) {
      throw new StackComponentError(component, `exited before it was ${what}`, options.logFile);
    }
    await sleep(250);
  }
  throw new StackComponentError(component, `not ${what} after ${options.timeoutMs / 1000}s`, options.logFile);
}
