import type { V1PodSecurityContext, V1SecurityContext } from '@kubernetes/client-node';
import type { StartMoverPodRequest } from '../../../proto/mover/index.js';

/**
 * Capabilities a backup mover keeps: DAC_READ_SEARCH lets root read every file and list every directory
 * whatever its owner and mode (PostgreSQL's 0700 PGDATA of uid 999), and grants no write, chown or
 * other power. Its data is mounted read-only besides.
 */
export const BACKUP_CAPABILITIES = ['DAC_READ_SEARCH'] as const;

/**
 * Capabilities a restore mover keeps, each for one thing the data mover puts back:
 * - CHOWN: give files and directories their recorded uid and gid (lchown/fchown);
 * - FOWNER: chmod, utimes and setting xattrs on files it does not own once they were chowned away;
 * - DAC_OVERRIDE: write into and traverse directories whose restored mode shuts root out (0500, 0700 of
 *   another uid), and reopen files to resume; also what reading them back needs;
 * - FSETID: keep setuid/setgid bits when chmod sets them on a file whose group root is not in, which the
 *   kernel would otherwise silently clear;
 * - SETFCAP: restore `security.capability` xattrs (file capabilities, e.g. of ping).
 * Not granted: MKNOD (the mover restores no device files), SYS_ADMIN (trusted.* xattrs stay unrestored).
 */
export const RESTORE_CAPABILITIES = ['CHOWN', 'FOWNER', 'DAC_OVERRIDE', 'FSETID', 'SETFCAP'] as const;

/**
 * Capabilities a verifying mover keeps (a drill reading a restored volume back): DAC_OVERRIDE lets root
 * read every file and list every directory whatever its owner and mode, like a backup's DAC_READ_SEARCH,
 * but within the baseline level the restore's namespaces admit. The volume is mounted read-only, so the
 * write half of it has nothing to write to.
 */
export const VERIFY_CAPABILITIES = ['DAC_OVERRIDE'] as const;

const CAPABILITIES: Record<StartMoverPodRequest['purpose'], readonly string[]> = { backup: BACKUP_CAPABILITIES, restore: RESTORE_CAPABILITIES, verify: VERIFY_CAPABILITIES };

/** The Pod Security Standards level a mover pod of this request is admitted under (docs/backup.md). */
export function podSecurityLevel(request: Pick<StartMoverPodRequest, 'purpose' | 'fromHostVolume'>): 'baseline' | 'privileged' {
  // DAC_READ_SEARCH is outside baseline's allowed capabilities; hostPath volumes are too.
  return request.purpose === 'backup' || request.fromHostVolume ? 'privileged' : 'baseline';
}

/**
 * The mover runs as root (uid 0) so that capabilities apply to it: Kubernetes gives a non-root container
 * none. No fsGroup on the pod: the kubelet would chgrp the whole volume to it, rewriting the very owners
 * the mover must preserve.
 */
export const MOVER_POD_SECURITY: V1PodSecurityContext = { runAsUser: 0, runAsGroup: 0, runAsNonRoot: false, seccompProfile: { type: 'RuntimeDefault' } };

export function moverContainerSecurity(purpose: StartMoverPodRequest['purpose']): V1SecurityContext {
  return {
    runAsUser: 0,
    runAsGroup: 0,
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'], add: [...CAPABILITIES[purpose]] },
  };
}
