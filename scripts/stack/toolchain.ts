import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from './paths.js';
import { StackComponentError, withHeartbeat } from './progress.js';
import { run } from './processes.js';

const buildLogDir = join(cacheDir, 'build-logs');

export function buildLog(name: string): string {
  mkdirSync(buildLogDir, { recursive: true });
  return join(buildLogDir, `${name}.log`);
}

/**
 * Builds in place and writes a completion marker last, so an interrupted build is never trusted by a
 * later run. (Building elsewhere and renaming would break Python virtualenvs, which embed their path.)
 */
async function buildOnce(
  component: string,
  cacheKey: string,
  expected: string[],
  what: string,
  build: (outDir: string, logFile: string) => Promise<void>,
): Promise<string> {
  const dir = join(cacheDir, cacheKey);
  const marker = join(dir, '.complete');
  if (existsSync(marker) && expected.every((f) => existsSync(join(dir, f)))) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const logFile = buildLog(cacheKey);
  rmSync(logFile, { force: true });
  await withHeartbeat(component, what, build(dir, logFile));
  for (const f of expected) {
    if (!existsSync(join(dir, f))) throw new StackComponentError(component, `build produced no ${f}`, logFile);
  }
  writeFileSync(marker, new Date().toISOString());
  return dir;
}

export async function runLogged(component: string, logFile: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Promise<void> {
  const result = await run(command, args, { env, ...(cwd ? { cwd } : {}) });
  writeFileSync(logFile, `$ ${command} ${args.join(' ')}\n${result.stdout}${result.stderr}`, { flag: 'a' });
  if (result.code !== 0) {
    throw new StackComponentError(component, `\`${command} ${args.join(' ')}\` failed with exit code ${result.code}`, logFile);
  }
}

export async function requireGo(component: string): Promise<void> {
  const result = await run('go', ['version']);
  if (result.code !== 0) {
    throw new StackComponentError(component, 'needs the Go toolchain (>= 1.25) on PATH to build; install Go and retry');
  }
}

/** Where `goInstall` caches a binary, and whether a completed build is there (nothing is built). */
export function goInstalled(name: string, version: string, binary: string): { path: string; built: boolean } {
  const dir = join(cacheDir, `${name}-${version}`);
  const path = join(dir, 'bin', binary);
  return { path, built: existsSync(join(dir, '.complete')) && existsSync(path) };
}

/** `go install module@version`, cached as <cache>/<name>-<version>/bin/<binary>. Returns the binary path. */
export async function goInstall(component: string, name: string, module: string, version: string, binary: string): Promise<string> {
  const dir = await buildOnce(component, `${name}-${version}`, [join('bin', binary)], `building ${name} ${version} with go install (first run only)`, async (out, log) => {
    await requireGo(component);
    await runLogged(component, log, 'go', ['install', `${module}@${version}`], { GOBIN: join(out, 'bin'), CGO_ENABLED: '0' });
  });
  return join(dir, 'bin', binary);
}

/** `go build` of packages inside a module folder of this repository (the kube wrapper). */
export async function goBuild(
  component: string,
  cacheKey: string,
  moduleDir: string,
  packages: string[],
  binaries: string[],
  ldflags: string,
): Promise<string> {
  const dir = await buildOnce(component, cacheKey, binaries.map((b) => join('bin', b)), `building ${binaries.join(', ')} (first run only; several minutes on 2 cores)`, async (out, log) => {
    await requireGo(component);
    mkdirSync(join(out, 'bin'), { recursive: true });
    await runLogged(component, log, 'go', ['build', '-trimpath', '-o', join(out, 'bin') + '/', '-ldflags', ldflags, ...packages], { CGO_ENABLED: '0' }, moduleDir);
  });
  return join(dir, 'bin');
}

let aptUpdated = false;

async function aptGet(component: string, log: string, args: string[]): Promise<void> {
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    await runLogged(component, log, 'apt-get', ['update', '-q'], env);
    aptUpdated = true;
  }
  await runLogged(component, log, 'apt-get', args, env);
}

/** Installs Debian packages system-wide when a program they provide is missing. */
export async function aptInstall(component: string, packages: string[]): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new StackComponentError(component, `needs Debian packages ${packages.join(' ')}; run as root or install them first`);
  }
  const log = buildLog(`apt-${packages.join('-')}`);
  await withHeartbeat(component, `apt-get install ${packages.join(' ')}`, aptGet(component, log, ['install', '-y', '-q', '--no-install-recommends', ...packages]));
}

/**
 * Unpacks a Debian package into the cache instead of installing it: etcd-server's maintainer scripts
 * would register and start a system service we do not want.
 */
export async function debExtract(component: string, pkg: string, version: string): Promise<string> {
  return buildOnce(component, `${pkg}-${version}`, ['usr'], `fetching Debian package ${pkg} ${version}`, async (out, log) => {
    const env = { DEBIAN_FRONTEND: 'noninteractive' };
    let downloaded = await run('apt-get', ['download', `${pkg}=${version}`], { cwd: out, env });
    if (downloaded.code !== 0) {
      await runLogged(component, log, 'apt-get', ['update', '-q'], env);
      aptUpdated = true;
      downloaded = await run('apt-get', ['download', `${pkg}=${version}`], { cwd: out, env });
    }
    writeFileSync(log, downloaded.stdout + downloaded.stderr, { flag: 'a' });
    if (downloaded.code !== 0) throw new StackComponentError(component, `apt-get download ${pkg}=${version} failed`, log);
    const deb = readdirSync(out).find((f) => f.endsWith('.deb'));
    if (!deb) throw new StackComponentError(component, `no .deb downloaded for ${pkg}`, log);
    await runLogged(component, log, 'dpkg-deb', ['-x', deb, '.'], {}, out);
    rmSync(join(out, deb));
  });
}

/** A Python virtualenv in the cache with exactly the requirements given. */
export async function pythonVenv(component: string, name: string, requirements: string[], expectedBinary: string): Promise<string> {
  const dir = await buildOnce(component, name, [join('venv', 'bin', expectedBinary)], `pip install ${requirements.join(' ')}`, async (out, log) => {
    await runLogged(component, log, 'python3', ['-m', 'venv', join(out, 'venv')]);
    await runLogged(component, log, join(out, 'venv', 'bin', 'pip'), ['install', '-q', '--disable-pip-version-check', ...requirements]);
  });
  return join(dir, 'venv', 'bin');
}
