import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { withHeartbeat } from '../stack/progress.js';
import { buildLog, runLogged } from '../stack/toolchain.js';
import { cachedBuild } from './cache.js';

const COMPONENT = 'image';

/** Temporal's native bridge ships for every platform; the image keeps only its own. */
const TEMPORAL_BRIDGE_TARGETS: Record<string, string> = { x64: 'x86_64-unknown-linux-gnu', arm64: 'aarch64-unknown-linux-gnu' };

/** Files no process loads: source maps, type declarations, native build intermediates. */
const PRUNED_FILE = /\.(?:map|d\.ts|d\.mts|d\.cts)$/;

function pruneFiles(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) pruneFiles(path);
    else if (entry.isFile() && PRUNED_FILE.test(entry.name)) rmSync(path);
  }
}

/**
 * What `npm ci --omit=dev` leaves that the image does not need: other platforms' Temporal bridges, the
 * zstd sources and object files behind zstd-napi's addon, source maps and type declarations.
 */
function prune(nodeModules: string, arch: string): void {
  const releases = join(nodeModules, '@temporalio', 'core-bridge', 'releases');
  if (existsSync(releases)) {
    for (const target of readdirSync(releases)) if (target !== TEMPORAL_BRIDGE_TARGETS[arch]) rmSync(join(releases, target), { recursive: true, force: true });
  }
  for (const leftover of ['build/Release/obj.target', 'build/Release/zstd.a', 'deps']) rmSync(join(nodeModules, 'zstd-napi', leftover), { recursive: true, force: true });
  pruneFiles(nodeModules);
}

/**
 * The production dependencies, installed exactly as locked (`npm ci --omit=dev`) by the image's own Node,
 * so zstd-napi's native addon is built for the Node that loads it, on this Debian release (the image's),
 * then pruned; cached by lock file, Node version and architecture.
 */
export async function productionNodeModules(repoRoot: string, node: { version: string; home: string }, arch: string): Promise<string> {
  const lock = readFileSync(join(repoRoot, 'package-lock.json'));
  const pkg = readFileSync(join(repoRoot, 'package.json'));
  const key = createHash('sha256').update(lock).update(pkg).update(`${node.version}\0${arch}`).digest('hex').slice(0, 16);
  const dir = await cachedBuild(`node-modules-${key}`, async (out) => {
    copyFileSync(join(repoRoot, 'package.json'), join(out, 'package.json'));
    copyFileSync(join(repoRoot, 'package-lock.json'), join(out, 'package-lock.json'));
    const log = buildLog(`image-node-modules-${key}`);
    // The image's Node first on PATH and as node-gyp's headers: the addon must match the Node that loads it.
    const env = { PATH: `${join(node.home, 'bin')}:${process.env.PATH ?? ''}`, npm_config_nodedir: node.home, NODE_ENV: 'production' };
    await withHeartbeat(COMPONENT, 'npm ci --omit=dev (production dependencies)', runLogged(COMPONENT, log, 'npm', ['ci', '--omit=dev', '--no-audit', '--no-fund'], env, out));
    prune(join(out, 'node_modules'), arch);
    // The image's user reads them; every image hard-links them, so their modes are settled here once.
    await runLogged(COMPONENT, log, 'chmod', ['-R', 'u+rwX,go+rX,go-w', join(out, 'node_modules')]);
  });
  return join(dir, 'node_modules');
}
