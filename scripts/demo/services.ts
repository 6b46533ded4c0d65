import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot } from '../stack/paths.js';

export interface HavenProcess {
  name: string;
  child: ChildProcess;
  logFile: string;
}

/**
 * Haven's own processes, started from this checkout as their container entrypoints would run them. Their
 * output goes to a log file each, so the demo's story stays readable; a process that dies early says so.
 */
export class HavenProcesses {
  private readonly running: HavenProcess[] = [];
  /** How each was started, so a crashed one can be started again the same way. */
  private readonly specs = new Map<string, { entry: string; env: NodeJS.ProcessEnv }>();
  /** Processes killed on purpose (a crash test): their exit is no news. */
  private readonly killed = new Set<ChildProcess>();

  constructor(private readonly logDir: string) {
    mkdirSync(logDir, { recursive: true });
  }

  start(name: string, entry: string, env: NodeJS.ProcessEnv): HavenProcess {
    const logFile = join(this.logDir, `${name}.log`);
    const log = openSync(logFile, 'a');
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, entry)], { cwd: repoRoot, stdio: ['ignore', log, log], env });
    closeSync(log);
    const started: HavenProcess = { name, child, logFile };
    this.specs.set(name, { entry, env });
    child.on('exit', (code, signal) => {
      if (!this.stopping && !this.killed.has(child) && (code || signal)) process.stderr.write(`[demo] ${name} exited (${signal ?? `code ${code}`}); see ${logFile}\n`);
    });
    this.running.push(started);
    return started;
  }

  private stopping = false;

  /** The newest process started under `name`. */
  get(name: string): HavenProcess | undefined {
    return this.running.findLast((p) => p.name === name);
  }

  /** SIGKILL (a crash: no shutdown code runs), waiting until the process is gone. */
  async kill(name: string): Promise<void> {
    const target = this.get(name);
    if (!target || target.child.exitCode !== null || target.child.signalCode !== null) return;
    this.killed.add(target.child);
    const exited = new Promise((resolveExit) => target.child.once('exit', resolveExit));
    target.child.kill('SIGKILL');
    await exited;
  }

  /** Starts `name` again as it was first started (after a crash). */
  restart(name: string): HavenProcess {
    const spec = this.specs.get(name);
    if (!spec) throw new Error(`${name} was never started`);
    return this.start(name, spec.entry, spec.env);
  }

  /** SIGTERM to each (newest first: the agent before the gateway it polls through), SIGKILL after 10 s. */
  async stopAll(): Promise<void> {
    this.stopping = true;
    for (const { child } of [...this.running].reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
      child.kill('SIGTERM');
      const done = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
      if (!done) child.kill('SIGKILL');
    }
  }

  pids(): number[] {
    return this.running.flatMap(({ child }) => (child.pid === undefined ? [] : [child.pid]));
  }
}

/** Polls until `check` holds, or fails naming what never happened and where to look. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, hint: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs / 1000}s; ${hint}`);
    await sleep(250);
  }
}
