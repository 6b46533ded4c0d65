import { isCancellation } from '@temporalio/workflow';
import type { RepositoryAccess } from '../proto/agent/index.js';
import type { EmptiedClaim } from '../proto/agent/restore-volumes.js';
import type { CopiedVolume } from '../proto/mover/copied-volume.js';
import type { RestoreVolumeOptions } from '../lib/domain/definitions/options.js';
import { runOnMoverPod } from './mover-pod.js';
import { rootCauseMessage } from './failure-message.js';

/** One claim created empty by the resource restore, with the copy that fills it. */
export interface CopyToFill {
  claim: EmptiedClaim;
  /** `paths`: a granular restore's selection inside the copy; absent restores all of it. */
  copy: Pick<CopiedVolume, 'copySnapshotId' | 'volumeMode'> & { paths?: string[] };
}

export interface CopyFillPlan {
  clusterId: string;
  jobId: string;
  repository: RepositoryAccess;
  options: Pick<RestoreVolumeOptions, 'concurrentPvs' | 'totalConcurrentFiles' | 'dataMoverMemoryLimitMiB' | 'dataMoverPodTimeoutMinutes'>;
  fills: CopyToFill[];
}

/** How a fill moved on: FAILED says why; FILLED what was restored. */
export interface FillChange {
  reason?: string;
  bytes?: number;
  files?: number;
}

/** "Total concurrent files" is across every PV restored at once: each mover gets its share, at least one. */
export function filesPerMover(totalConcurrentFiles: number, concurrentPvs: number, volumes: number): number {
  return Math.max(1, Math.floor(totalConcurrentFiles / Math.max(1, Math.min(concurrentPvs, volumes))));
}

/**
 * Fills the claims from their copies, `concurrentPvs` at a time, one fresh mover pod per claim mounting
 * it read-write (which also provisions a claim whose class binds on first use). A PV that fails is that
 * PV's alone: `onChange` hears its reason and the others go on. Cancellation is not a PV failure.
 */
export async function fillClaimsFromCopies(plan: CopyFillPlan, onChange: (fill: CopyToFill, state: 'FILLING' | 'FILLED' | 'FAILED', change?: FillChange) => void): Promise<void> {
  const { options, fills } = plan;
  const concurrentFiles = filesPerMover(options.totalConcurrentFiles, options.concurrentPvs, fills.length);
  let next = 0;
  const mover = async () => {
    while (next < fills.length) {
      const index = next++;
      const fill = fills[index]!;
      const { targetNamespace, claim } = fill.claim;
      onChange(fill, 'FILLING');
      try {
        await runOnMoverPod(
          {
            clusterId: plan.clusterId,
            jobId: plan.jobId,
            moverIndex: index,
            namespace: targetNamespace,
            claim,
            readOnly: false,
            volumeMode: fill.copy.volumeMode,
            memoryLimitMiB: options.dataMoverMemoryLimitMiB,
            purpose: 'restore',
            podTimeoutMinutes: options.dataMoverPodTimeoutMinutes,
            subject: `PV of claim ${targetNamespace}/${claim}`,
          },
          // FILLED as soon as the mover is done, with its figures: the heartbeats that carried them are
          // gone, and deleting the pod may take a while.
          async (activities) => {
            const { bytes, files } = await activities.restoreVolumeFromRepository({
              version: 2,
              jobId: plan.jobId,
              snapshotId: fill.copy.copySnapshotId,
              paths: fill.copy.paths ?? [],
              repository: plan.repository,
              limits: { concurrentFiles, memoryLimitMiB: options.dataMoverMemoryLimitMiB },
              volume: { namespace: fill.claim.namespace, claim },
            });
            onChange(fill, 'FILLED', { bytes, files });
          },
        );
      } catch (error) {
        if (isCancellation(error)) throw error;
        onChange(fill, 'FAILED', { reason: `restoring its copy failed: ${rootCauseMessage(error)}` });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrentPvs, fills.length) }, mover));
}
