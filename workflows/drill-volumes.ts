import { isCancellation } from '@temporalio/workflow';
import type { RepositoryAccess } from '../proto/agent/index.js';
import { MAX_VOLUME_DIGEST_DIFFERENCES, type VolumeDigestResult } from '../proto/mover/index.js';
import type { DrillDifference } from '../lib/domain/drill-result.js';
import type { RestoreVolumeOptions } from '../lib/domain/definitions/options.js';
import { rootCauseMessage } from './failure-message.js';
import { runOnMoverPod } from './mover-pod.js';

/** Differing paths named per volume: the drill keeps 200 differences in all, and a few paths say where to look. */
export const NAMED_PATHS_PER_VOLUME = 10;

/** A PV the drill's restore filled from its copy in the repository: what is digested on both sides. */
export interface FilledCopy {
  /** The recovery point's namespace and claim (the subject of a difference). */
  namespace: string;
  claim: string;
  /** The scratch namespace the claim was restored into. */
  targetNamespace: string;
  copySnapshotId: string;
  volumeMode: 'Filesystem' | 'Block';
}

export interface VolumeDigestPlan {
  clusterId: string;
  /** The drill's job: it names the mover pods and their tokens. */
  jobId: string;
  repository: RepositoryAccess;
  options: Pick<RestoreVolumeOptions, 'concurrentPvs' | 'dataMoverMemoryLimitMiB' | 'dataMoverPodTimeoutMinutes'>;
  copies: FilledCopy[];
}

/** What the volume digests found: how many were compared on both sides, and every difference. */
export interface VolumeDigestOutcome {
  digested: number;
  differences: DrillDifference[];
}

/** A volume's digest result as drill differences: none when both digests are equal, else the digests and the first differing paths. */
export function digestDifferences(copy: FilledCopy, result: VolumeDigestResult): DrillDifference[] {
  if (result.matched) return [];
  const subject = `${copy.namespace}/${copy.claim}`;
  const named = result.differences.slice(0, NAMED_PATHS_PER_VOLUME);
  const more = result.differencesFound - named.length;
  return [
    {
      kind: 'VOLUME',
      subject,
      message:
        `its restored data is not the recovery point's: digest ${result.volume.digest} read back from the volume, ${result.point.digest} from the repository; ` +
        `${result.differencesFound} path${result.differencesFound === 1 ? '' : 's'} differ${result.differencesFound === 1 ? 's' : ''}${more > 0 ? `, the first ${named.length} follow` : ''}`,
    },
    ...named.map((d) => ({ kind: 'VOLUME' as const, subject, message: `${d.path}: ${d.message}` })),
  ];
}

/**
 * Reads every filled PV back and compares its digest with the recovery point's copy, `concurrentPvs`
 * at a time, one fresh mover pod per claim mounting it read-only (purpose `verify`). A volume whose
 * check cannot run (its pod never starts, an agent too old to know `verify`) is a difference saying why;
 * cancellation is not.
 */
export async function digestFilledVolumes(plan: VolumeDigestPlan): Promise<VolumeDigestOutcome> {
  const outcome: VolumeDigestOutcome = { digested: 0, differences: [] };
  let next = 0;
  const checker = async () => {
    while (next < plan.copies.length) {
      const index = next++;
      const copy = plan.copies[index]!;
      try {
        const result = await runOnMoverPod(
          {
            clusterId: plan.clusterId,
            jobId: plan.jobId,
            moverIndex: index,
            namespace: copy.targetNamespace,
            claim: copy.claim,
            readOnly: true,
            volumeMode: copy.volumeMode,
            memoryLimitMiB: plan.options.dataMoverMemoryLimitMiB,
            purpose: 'verify',
            // The drill's workloads are ready and mount the restored claim: a ReadWriteOnce volume is
            // attached to their node, so a reader elsewhere would wait for an attachment that never comes.
            colocateWithClaimUsers: true,
            podTimeoutMinutes: plan.options.dataMoverPodTimeoutMinutes,
            subject: `restored PV of claim ${copy.targetNamespace}/${copy.claim}`,
          },
          (mover) =>
            mover.digestRestoredVolume({
              version: 1,
              jobId: plan.jobId,
              snapshotId: copy.copySnapshotId,
              repository: plan.repository,
              volume: { namespace: copy.targetNamespace, claim: copy.claim },
              maxDifferences: Math.min(NAMED_PATHS_PER_VOLUME, MAX_VOLUME_DIGEST_DIFFERENCES),
            }),
        );
        outcome.digested++;
        outcome.differences.push(...digestDifferences(copy, result));
      } catch (error) {
        if (isCancellation(error)) throw error;
        outcome.differences.push({ kind: 'VOLUME', subject: `${copy.namespace}/${copy.claim}`, message: `its digest could not be compared: ${rootCauseMessage(error)}` });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(plan.options.concurrentPvs, plan.copies.length) }, checker));
  return outcome;
}
