import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI_PATH = fileURLToPath(new URL('../../../lib/datamover/cli.ts', import.meta.url));
export const CLI_SECRET = 'cli-test-secret';

export interface CliRun {
  child: ChildProcess;
  /** Resolves with the exit code and the parsed JSON line (undefined if killed before printing). */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; output: Record<string, unknown> | undefined; stderr: string }>;
}

/** Starts the data mover CLI as a child process, as the data-mover pod would. */
export function startCli(args: string[], env: Record<string, string> = {}): CliRun {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI_PATH, ...args], {
    env: { ...process.env, HAVEN_REPOSITORY_SECRET: CLI_SECRET, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: killing the group also kills the heap-limited re-run it may spawn.
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (data: Buffer) => (stdout += data.toString()));
  child.stderr!.on('data', (data: Buffer) => (stderr += data.toString()));
  const done = new Promise<Awaited<CliRun['done']>>((resolve) => {
    child.on('close', (code, signal) => {
      const line = stdout.trim().split('\n').filter(Boolean).at(-1);
      resolve({ code, signal, output: line ? (JSON.parse(line) as Record<string, unknown>) : undefined, stderr });
    });
  });
  return { child, done };
}

export async function runCli(args: string[], env: Record<string, string> = {}) {
  const result = await startCli(args, env).done;
  if (result.code !== 0) throw new Error(`cli ${args[0]} failed (${result.code}): ${JSON.stringify(result.output)} ${result.stderr}`);
  return result.output!;
}

/** SIGKILL to the whole process group: no cleanup handler runs, as with an OOM kill or a node loss. */
export function killHard(run: CliRun): void {
  try {
    process.kill(-run.child.pid!, 'SIGKILL');
  } catch {
    // already gone
  }
}
