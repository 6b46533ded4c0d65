import { posix } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { execInRootArgv, namespaceInit, rootedArgv, type ContainerRoot } from './container-root.js';
import { securedArgv, type ContainerSecurity, type PathMount } from './container-security.js';

/** Where and how a container's commands run on this machine, in place of a container runtime. */
export interface ContainerContext {
  /** Working directory on this machine. */
  cwd: string;
  /** The container's environment, in container paths (rewritten to this machine's at start). */
  env: Record<string, string>;
  /**
   * Variables the emulator sets that already name this machine's paths (PATH to the image's bin). Never
   * rewritten: the emulator's data directory may itself lie under a mountPath such as /tmp. The
   * container's own env wins over them.
   */
  hostEnv: Record<string, string>;
  /** Container path (mountPath or devicePath) → directory or file on this machine. */
  mounts: Record<string, string>;
  /** The uid, gid, capabilities, read-only mounts and memory limit the process runs under. */
  security: ContainerSecurity;
  /** Present when the container runs chrooted into the image's root filesystem (then `mounts` is empty). */
  root?: ContainerRoot;
  /** Mounts bound at their container path (pathMountsOf). */
  pathMounts: PathMount[];
}

/**
 * Container paths programs open by a fixed name that no argument or variable carries: the service
 * account directory client libraries read in-cluster credentials from (`loadFromCluster`), and other
 * projected credentials under /var/run/secrets. Those mounts are bound at the path itself; on a machine
 * that runs inside a pod, this also hides that pod's own token from the container.
 */
export const PATH_MOUNT_ROOTS = ['/var/run/secrets/'] as const;

export function pathMountsOf(mounts: Record<string, string>): PathMount[] {
  return Object.entries(mounts)
    .filter(([target]) => PATH_MOUNT_ROOTS.some((root) => target.startsWith(root)))
    .map(([target, source]) => ({ target, source }));
}

/** Environment variable carrying the mount map to the process, since there is no mount namespace. */
export const MOUNTS_ENV = 'HAVEN_EMULATOR_MOUNTS';

/**
 * Maps a container path to this machine through the longest matching mount. Without mount namespaces
 * the process cannot see `/data`; arguments and environment values that name such paths are rewritten
 * so that unmodified programs (the data mover, hook commands) reach the volume.
 */
export function hostPathFor(path: string, mounts: Record<string, string>): string | undefined {
  if (!path.startsWith('/')) return undefined;
  const normalized = posix.normalize(path);
  let best: string | undefined;
  for (const mountPath of Object.keys(mounts)) {
    const base = posix.normalize(mountPath).replace(/\/$/, '');
    if ((normalized === base || normalized.startsWith(`${base}/`)) && (!best || base.length > best.length)) best = base;
  }
  if (best === undefined) return undefined;
  return (mounts[best] ?? mounts[`${best}/`] ?? '') + normalized.slice(best.length);
}

/** Rewrites `/mnt/x`, and the value in `--flag=/mnt/x`, when they fall under a mount. */
export function rewriteArgument(value: string, mounts: Record<string, string>): string {
  const direct = hostPathFor(value, mounts);
  if (direct !== undefined) return direct;
  const eq = value.indexOf('=');
  if (eq > 0) {
    const mapped = hostPathFor(value.slice(eq + 1), mounts);
    if (mapped !== undefined) return `${value.slice(0, eq + 1)}${mapped}`;
  }
  return value;
}

/**
 * Starts a command in a container's context, as the container's user with its capabilities and
 * read-only mounts; its own process group, so the whole tree can be killed.
 */
export function spawnInContainer(argv: readonly string[], context: ContainerContext, execInto?: ChildProcess): ChildProcess {
  if (!argv.length) throw new Error('empty command');
  if (context.root) {
    // An exec joins the running container's namespaces; a start makes new ones.
    const rooted = execInto ? execInRootArgv(namespaceInit(execInto), argv, context.root, context.security) : rootedArgv(argv, context.root, context.security);
    const [command, ...args] = rooted as [string, ...string[]];
    return spawn(command, args, { cwd: '/', env: context.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  }
  const [command, ...args] = securedArgv(argv.map((a) => rewriteArgument(a, context.mounts)), context.security, context.pathMounts) as [string, ...string[]];
  const env = { ...context.hostEnv, ...Object.fromEntries(Object.entries(context.env).map(([k, v]) => [k, rewriteArgument(v, context.mounts)])) };
  return spawn(command, args, {
    cwd: context.cwd,
    env: { ...env, [MOUNTS_ENV]: JSON.stringify(context.mounts) },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Signals a process group; a group that already exited is not an error. */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}
