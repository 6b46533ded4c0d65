import { execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../../scripts/stack/paths.js';

/** The `bin` entry of package.json, run as `npx haven` runs it. */
export const HAVEN_BIN = join(repoRoot, 'services/cli/haven.mjs');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real `haven` process. Its environment holds only PATH, a HOME of its own (so no config file
 * of the machine is read) and `env`: what a test does not give it, it does not have.
 */
export function runHaven(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const home = mkdtempSync(join(tmpdir(), 'haven-cli-home-'));
  return new Promise((resolve) => {
    execFile(process.execPath, [HAVEN_BIN, ...args], { env: { PATH: process.env.PATH ?? '', HOME: home, ...env }, cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs `haven` and parses its -o json output, failing with what it printed when it did not succeed. */
export async function havenJson<T = unknown>(args: string[], env: Record<string, string>): Promise<T> {
  const run = await runHaven([...args, '-o', 'json'], env);
  if (run.code !== 0) throw new Error(`haven ${args.join(' ')} exited ${run.code}: ${run.stderr}${run.stdout}`);
  return JSON.parse(run.stdout) as T;
}

const shellQuoted = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

/**
 * Runs `haven` as `runHaven` does, but on a terminal: util-linux `script` gives it a pseudo-terminal
 * (stdout.isTTY; no window size, as under many CI runners) and copies what it draws, escape sequences
 * and all, to `stdout` (the terminal merges the process's stderr into it).
 */
export function runHavenOnTerminal(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const home = mkdtempSync(join(tmpdir(), 'haven-cli-home-'));
  const command = [process.execPath, HAVEN_BIN, ...args].map(shellQuoted).join(' ');
  return new Promise((resolve) => {
    const child = spawn('script', ['-qfec', command, '/dev/null'], { env: { PATH: process.env.PATH ?? '', HOME: home, ...env }, cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
