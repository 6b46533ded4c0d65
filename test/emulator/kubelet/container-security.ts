import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { parseQuantity } from '../support/quantity.js';

/** A user and group as numbers, as the runtime resolves them before starting the process. */
export interface ImageUser {
  uid: number;
  gid: number;
}

/**
 * What the node enforces on one container's processes: who they run as, which capabilities they keep,
 * which mounts they cannot write and how much memory they may hold.
 */
export interface ContainerSecurity {
  uid: number;
  gid: number;
  /** Supplementary groups: the pod's supplementalGroups and fsGroup. */
  groups: number[];
  /** Capability names (lower case, no `cap_`): the bounding set, and what a uid-0 process holds. */
  capabilities: string[];
  /** allowPrivilegeEscalation: false → no_new_privs. */
  noNewPrivileges: boolean;
  /** Host paths of the container's readOnly mounts. */
  readOnlyPaths: string[];
  /** The container's memory limit; undefined when it has none. */
  memoryLimitBytes?: number;
}

/** The capabilities a container runtime (containerd, CRI-O, Docker) gives a container by default. */
export const DEFAULT_CAPABILITIES = [
  'chown',
  'dac_override',
  'fsetid',
  'fowner',
  'mknod',
  'net_raw',
  'setgid',
  'setuid',
  'setfcap',
  'setpcap',
  'net_bind_service',
  'sys_chroot',
  'kill',
  'audit_write',
] as const;

/** Images whose user the emulator does not know run as root, as most base images (busybox, postgres' entrypoint) do. */
export const ROOT_USER: ImageUser = { uid: 0, gid: 0 };

const capName = (name: string) => name.toLowerCase().replace(/^cap_/, '');

/**
 * Resolves the container's securityContext over the pod's, as the kubelet does: the container's
 * runAsUser/runAsGroup win, then the pod's, then the image's USER. Capabilities are the runtime default
 * minus drops plus adds; a non-root process keeps none of them once it execs (Kubernetes sets no ambient
 * capabilities), so only the bounding set is theirs.
 */
export function containerSecurity(pod: V1Pod, spec: V1Container, imageUser: ImageUser, readOnlyPaths: string[]): ContainerSecurity {
  const podContext = pod.spec?.securityContext ?? {};
  const context = spec.securityContext ?? {};
  const uid = context.runAsUser ?? podContext.runAsUser ?? imageUser.uid;
  // A runAsUser without runAsGroup runs with the image user's primary group, or 0 when the uid is not the image's.
  const gid = context.runAsGroup ?? podContext.runAsGroup ?? (uid === imageUser.uid ? imageUser.gid : 0);
  const groups = [...new Set([...(podContext.supplementalGroups ?? []), ...(podContext.fsGroup !== undefined ? [podContext.fsGroup] : [])])];
  const drop = (context.capabilities?.drop ?? []).map(capName);
  const add = (context.capabilities?.add ?? []).map(capName);
  const base = context.privileged ? [] : drop.includes('all') ? [] : DEFAULT_CAPABILITIES.filter((c) => !drop.includes(c));
  const capabilities = context.privileged ? ['all'] : [...new Set([...base, ...add.filter((c) => c !== 'all')])];
  const limit = spec.resources?.limits?.memory;
  return {
    uid,
    gid,
    groups,
    capabilities,
    noNewPrivileges: context.allowPrivilegeEscalation === false,
    readOnlyPaths,
    ...(limit !== undefined ? { memoryLimitBytes: parseQuantity(String(limit)) } : {}),
  };
}

/** A volume bound at its container path itself, in the process's own mount namespace. */
export interface PathMount {
  /** The mountPath, created empty on this machine when missing (only the process tree sees the bind). */
  target: string;
  source: string;
}

/**
 * The command that starts `argv` under these rules on this machine: path mounts are bound at their
 * container paths and readOnly mounts bind-mounted read-only over themselves, in a private mount
 * namespace (only this process tree sees them so), then setpriv drops to the uid, gid, groups and
 * capability bounding set before exec.
 */
export function securedArgv(argv: readonly string[], security: ContainerSecurity, pathMounts: readonly PathMount[] = []): string[] {
  const setpriv = setprivArgv(argv, security);
  if (!security.readOnlyPaths.length && !pathMounts.length) return setpriv;
  // Arguments: pairs of target and source up to the first `--`, read-only paths up to the second, then the command.
  const script = [
    'while [ "$1" != -- ]; do mkdir -p "$1" && mount --bind "$2" "$1" || exit 127; shift 2; done; shift',
    'while [ "$1" != -- ]; do mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" || exit 127; shift; done; shift',
    'exec "$@"',
  ].join('; ');
  const binds = pathMounts.flatMap((m) => [m.target, m.source]);
  return ['unshare', '--mount', '--propagation=private', '--', 'sh', '-c', script, 'sh', ...binds, '--', ...security.readOnlyPaths, '--', ...setpriv];
}

/** `setpriv` dropping to the container's uid, gid, groups and capability bounding set, then `argv`. */
export function setprivArgv(argv: readonly string[], security: ContainerSecurity): string[] {
  const bounding = security.capabilities.includes('all') ? '+all' : ['-all', ...security.capabilities.map((c) => `+${c}`)].join(',');
  const setpriv = [
    'setpriv',
    `--reuid=${security.uid}`,
    `--regid=${security.gid}`,
    ...(security.groups.length ? [`--groups=${security.groups.join(',')}`] : ['--clear-groups']),
    `--bounding-set=${bounding}`,
    '--inh-caps=-all',
    ...(security.noNewPrivileges ? ['--no-new-privs'] : []),
    '--',
    ...argv,
  ];
  return setpriv;
}
