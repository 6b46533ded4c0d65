import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { setprivArgv, type ContainerSecurity } from './container-security.js';

/** One mount of a container that runs in its own root filesystem. */
export type RootMount =
  | { containerPath: string; hostPath: string; readOnly: boolean }
  /** An empty tmpfs (an emptyDir with medium Memory; /tmp for a read-only root). */
  | { containerPath: string; tmpfs: true };

/** A container running chrooted into an image's unpacked root filesystem, as a runtime would start it. */
export interface ContainerRoot {
  /** The image's root filesystem: never written (an overlay holds a writable root's changes). */
  rootfs: string;
  /** A directory of this container's own: the overlay's mount point, upper and work dirs, mount points. */
  stateDir: string;
  mounts: RootMount[];
  /** securityContext.readOnlyRootFilesystem: the overlay gets no upper layer, so every write is EROFS. */
  readOnlyRootFilesystem: boolean;
  /** The working directory inside the container. */
  workingDir: string;
  hostname: string;
}

const paths = (root: ContainerRoot) => ({
  merged: join(root.stateDir, 'root'),
  scaffold: join(root.stateDir, 'mountpoints'),
  upper: join(root.stateDir, 'upper'),
  work: join(root.stateDir, 'work'),
});

/**
 * Creates the container's directories: the mount points its volumes need exist in a lower layer of
 * their own ("mountpoints") laid over the image, so a read-only root still has them and the image is
 * never touched.
 */
export async function prepareContainerRoot(root: ContainerRoot): Promise<void> {
  const { merged, scaffold, upper, work } = paths(root);
  await rm(root.stateDir, { recursive: true, force: true });
  for (const dir of [merged, scaffold, upper, work]) await mkdir(dir, { recursive: true });
  // As the kubelet writes a pod's /etc/hosts: the node's entries and the pod's own name (processes resolve it).
  const hosts = await readFile('/etc/hosts', 'utf8').catch(() => '127.0.0.1\tlocalhost\n');
  await writeFile(join(root.stateDir, 'hosts'), `${hosts.trimEnd()}\n127.0.0.1\t${root.hostname}\n`, { mode: 0o644 });
  for (const mount of root.mounts) {
    const target = join(scaffold, posix.normalize(mount.containerPath));
    const isFile = 'hostPath' in mount && (await stat(mount.hostPath)).isFile();
    if (isFile) {
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, '');
    } else {
      await mkdir(target, { recursive: true });
    }
  }
}

/**
 * The script that builds the container's view, run by `sh` inside a private mount, PID and UTS
 * namespace: the overlay root (read-only without an upper layer), /proc of the new PID namespace, the
 * host's /dev, this machine's resolv.conf and a hosts file naming the pod (read-only, as a kubelet writes them), each
 * volume bound at its mountPath (read-only ones remounted so), the pod's hostname; then chroot, the
 * working directory, and setpriv to the container's user and capabilities.
 */
const SETUP = `set -e
R=$1; LOWER=$2; UPPER=$3; WORK=$4; HOST=$5; WD=$6; HOSTS=$7; shift 7
if [ -n "$UPPER" ]; then mount -t overlay overlay -o "lowerdir=$LOWER,upperdir=$UPPER,workdir=$WORK" "$R"
else mount -t overlay overlay -o "lowerdir=$LOWER" "$R"; fi
mount -t proc proc "$R/proc"
mount --rbind /dev "$R/dev"
mount --bind /etc/resolv.conf "$R/etc/resolv.conf"; mount -o remount,bind,ro "$R/etc/resolv.conf"
mount --bind "$HOSTS" "$R/etc/hosts"; mount -o remount,bind,ro "$R/etc/hosts"
while [ "$1" != -- ]; do
  if [ "$1" = tmpfs ]; then mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$R$2"
  else mount --bind "$2" "$R$3"; [ "$1" = ro ] && mount -o remount,bind,ro "$R$3"; shift; fi
  shift 2
done
shift
hostname "$HOST"
exec chroot "$R" /usr/bin/env --chdir="$WD" "$@"`;

/**
 * An exec waits, up to 30 s, until the container's init has chrooted into its root: the pod is Running
 * once its process exists, but the overlay and the volumes are mounted by SETUP after that, and an exec
 * that came first found an empty root (`chroot: failed to run command '/usr/bin/env'`). A runtime
 * starts the container's process only once its root is ready, so an exec never sees it half made.
 */
const AWAIT_ROOT = `P=$1; R=$2; shift 2; i=0
while [ "$(readlink /proc/$P/root)" != "$R" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done
exec "$@"`;

/** The command that starts `argv` in the container's own root, as its user, in new namespaces. */
export function rootedArgv(argv: readonly string[], root: ContainerRoot, security: ContainerSecurity): string[] {
  const { merged, scaffold, upper, work } = paths(root);
  const mounts = root.mounts.flatMap((m) => ('tmpfs' in m ? ['tmpfs', m.containerPath] : [m.readOnly ? 'ro' : 'rw', m.hostPath, m.containerPath]));
  // --kill-child: when the runtime kills the namespace's parent, the container's init dies with it.
  return [
    'unshare', '--mount', '--pid', '--fork', '--uts', '--kill-child', '--propagation=private', '--',
    'sh', '-c', SETUP, 'sh',
    merged, `${scaffold}:${root.rootfs}`, root.readOnlyRootFilesystem ? '' : upper, work, root.hostname, root.workingDir, join(root.stateDir, 'hosts'),
    ...mounts, '--',
    ...setprivArgv(argv, { ...security, readOnlyPaths: [] }),
  ];
}

/**
 * The command that runs `argv` inside a running container (exec): into the namespaces of its init
 * process (`pid`), then the same chroot, working directory and user.
 */
export function execInRootArgv(initPid: number, argv: readonly string[], root: ContainerRoot, security: ContainerSecurity): string[] {
  const { merged } = paths(root);
  return [
    'nsenter', `--target=${initPid}`, '--mount', '--uts', '--pid', '--',
    'sh', '-c', AWAIT_ROOT, 'sh', String(initPid), merged,
    'chroot', merged, '/usr/bin/env', `--chdir=${root.workingDir}`,
    ...setprivArgv(argv, { ...security, readOnlyPaths: [] }),
  ];
}

/**
 * The init process of a container started by `rootedArgv`: the child `unshare --fork` made, PID 1 of the
 * container's PID namespace, whose namespaces an exec joins.
 */
export function namespaceInit(unshare: ChildProcess): number {
  const pid = unshare.pid;
  if (pid === undefined) throw new Error('container process has no pid');
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  if (!children[0]) throw new Error(`container process ${pid} has no init process (yet)`);
  return Number(children[0]);
}
