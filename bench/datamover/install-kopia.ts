import { execFile } from 'node:child_process';
import { access, cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The kopia release the benchmark compares against (Velero ships a 0.16 fork; this is a current upstream). */
export const KOPIA_VERSION = 'v0.22.3';
const MODULE = 'github.com/kopia/kopia';

/**
 * Returns the path of a kopia binary built from the pinned module version, building it on first use into
 * `~/.cache/haven/kopia-<version>/`.
 *
 * Not `go install kopia@version`: it first asks the module proxy for the module's version list (to report
 * deprecations), and the proxy this project uses answers that list with 403, so `go install` stops before
 * building. Downloading the pinned module and running `go build` inside it builds the same code with the
 * module's own go.mod and go.sum (v0.22.3 has no replace directives).
 */
export async function installKopia(log: (message: string) => void = () => {}): Promise<string> {
  const directory = join(homedir(), '.cache', 'haven', `kopia-${KOPIA_VERSION}`);
  const binary = join(directory, 'kopia');
  if (await exists(binary)) return binary;
  log(`building kopia ${KOPIA_VERSION} (a few minutes, once)`);
  const { stdout } = await run('go', ['mod', 'download', '-json', `${MODULE}@${KOPIA_VERSION}`], { cwd: tmpdir(), maxBuffer: 1 << 20 });
  const source = (JSON.parse(stdout) as { Dir: string }).Dir;
  const work = await mkdtemp(join(tmpdir(), 'kopia-src-'));
  try {
    // The module cache is read-only; a writable copy builds like a checkout would.
    await cp(source, work, { recursive: true });
    await run('chmod', ['-R', 'u+w', work]);
    await mkdir(directory, { recursive: true });
    await run('go', ['build', '-trimpath', '-ldflags', `-X github.com/kopia/kopia/repo.BuildVersion=${KOPIA_VERSION.slice(1)}`, '-o', binary, '.'], {
      cwd: work,
      maxBuffer: 16 << 20,
    });
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

if (process.argv[1]?.endsWith('install-kopia.ts')) console.log(await installKopia(console.error));
