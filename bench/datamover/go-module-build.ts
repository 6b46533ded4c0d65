import { execFile } from 'node:child_process';
import { access, cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A command-line tool built from one pinned Go module version. */
export interface GoTool {
  name: string;
  module: string;
  version: string;
  /** The main package inside the module, relative to its root. */
  mainPackage: string;
  /** Extra `-ldflags`, e.g. the version string the binary reports. */
  ldflags: string;
}

/**
 * Returns the path of the tool's binary, building it on first use into `~/.cache/haven/<name>-<version>/`.
 *
 * Not `go install module@version`: it first asks the module proxy for the module's version list (to report
 * deprecations), and the proxy this project uses answers that list with 403 (or an outdated list), so
 * `go install` stops before building. Downloading the pinned module and running `go build` inside a
 * writable copy builds the same code with the module's own go.mod and go.sum; callers pin versions whose
 * go.mod has no replace directives, so this is what `go install` would build.
 */
export async function buildGoTool(tool: GoTool, log: (message: string) => void = () => {}): Promise<string> {
  const directory = join(homedir(), '.cache', 'haven', `${tool.name}-${tool.version}`);
  const binary = join(directory, tool.name);
  if (await exists(binary)) return binary;
  log(`building ${tool.name} ${tool.version} (a few minutes, once)`);
  const { stdout } = await run('go', ['mod', 'download', '-json', `${tool.module}@${tool.version}`], { cwd: tmpdir(), maxBuffer: 1 << 20 });
  const source = (JSON.parse(stdout) as { Dir: string }).Dir;
  const work = await mkdtemp(join(tmpdir(), `${tool.name}-src-`));
  try {
    // The module cache is read-only; a writable copy builds like a checkout would.
    await cp(source, work, { recursive: true });
    await run('chmod', ['-R', 'u+w', work]);
    await mkdir(directory, { recursive: true });
    await run('go', ['build', '-trimpath', '-ldflags', tool.ldflags, '-o', binary, tool.mainPackage], { cwd: work, maxBuffer: 16 << 20 });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return binary;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
