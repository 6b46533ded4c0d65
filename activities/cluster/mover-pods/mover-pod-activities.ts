import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { ApplicationFailure, Context } from '@temporalio/activity';
import {
  cleanUpMoverJobRequestCodec,
  createSnapshotClaimRequestCodec,
  deleteMoverPodRequestCodec,
  deleteTemporaryClaimRequestCodec,
  describeMoverPodRequestCodec,
  MOVER_LABELS,
  startMoverPodRequestCodec,
  type CleanUpMoverJobResult,
  type CreateSnapshotClaimResult,
  type DescribeMoverPodResult,
  type StartMoverPodRequest,
  type StartMoverPodResult,
} from '../../../proto/mover/index.js';
import { isConflict, isNotFound } from '../snapshots/snapshot-api.js';
import { toSnapshotActivityFailure } from '../snapshots/snapshot-failures.js';
import { HostVolumeUnavailableError, toMoverActivityFailure, MoverObjectTakenError, MOVER_NOT_CONFIGURED, podSecurityForbidden, podSecurityViolation } from './mover-pod-failures.js';
import { podSecurityLevel } from './mover-security.js';
import { cleanUpJob } from './job-cleanup.js';
import { credentialsSecret, moverPod, type MoverPlacement } from './mover-pod-spec.js';
import { whyNotStarted } from './mover-pod-status.js';
import { DEFAULT_KUBELET_PODS_DIR, type MoverPodSettings } from './mover-settings.js';
import { kubeletVolumeDir } from './kubelet-volume-dir.js';
import { snapshotClaim } from './temporary-claim.js';

export interface MoverPodDeps {
  kubeConfig: KubeConfig;
  /** Absent when the agent was started without them: mover steps then fail saying so. */
  mover?: MoverPodSettings;
}

async function activity<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toSnapshotActivityFailure(toMoverActivityFailure(error));
  }
}

/**
 * Creates an object of this job, or finds the one a lost answer left: same name and job label. A
 * same-named object of someone else's is an error, never adopted.
 */
async function createOwned<T extends { metadata?: { labels?: Record<string, string> } }>(jobId: string, what: string, create: () => Promise<unknown>, read: () => Promise<T>): Promise<void> {
  try {
    await create();
    return;
  } catch (error) {
    if (!isConflict(error)) throw error;
  }
  const existing = await read();
  if (existing.metadata?.labels?.[MOVER_LABELS.job] !== jobId) throw new MoverObjectTakenError(`${what} already exists and was not created by job ${jobId}`);
}

/** A running pod that mounts the claim: its node has the volume attached (and its directory holds it). */
async function claimUser(core: CoreV1Api, namespace: string, claim: string): Promise<V1Pod | undefined> {
  const pods = (await core.listNamespacedPod({ namespace })).items;
  return pods.find((pod) => pod.status?.phase === 'Running' && pod.spec?.nodeName && (pod.spec.volumes ?? []).some((v) => v.persistentVolumeClaim?.claimName === claim));
}

async function placementOf(core: CoreV1Api, request: StartMoverPodRequest, kubeletPodsDir: string): Promise<MoverPlacement> {
  if (!request.fromHostVolume && !request.colocateWithClaimUsers) return {};
  const user = await claimUser(core, request.namespace, request.claim);
  if (!request.fromHostVolume) return user?.spec?.nodeName ? { nodeName: user.spec.nodeName } : {};
  const pvc = await core.readNamespacedPersistentVolumeClaim({ namespace: request.namespace, name: request.claim });
  if (!user?.spec?.nodeName || !user.metadata?.uid || !pvc.spec?.volumeName) {
    throw new HostVolumeUnavailableError(`claim ${request.namespace}/${request.claim} cannot be read from the host: no running pod mounts it, so its volume is on no node`);
  }
  const pv = await core.readPersistentVolume({ name: pvc.spec.volumeName });
  return { nodeName: user.spec.nodeName, hostVolume: { volumeName: pvc.spec.volumeName, hostDir: kubeletVolumeDir(kubeletPodsDir, user.metadata.uid, pv) } };
}

async function ignoreMissing(work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

/**
 * The agent's data-mover activities: temporary claims from snapshots, mover pods on their own task
 * queues, and the cleanup of everything a job created. Messages are decoded by version (proto/mover).
 */
export function moverPodActivities(deps: MoverPodDeps) {
  const core = deps.kubeConfig.makeApiClient(CoreV1Api);
  return {
    async startMoverPod(message: unknown): Promise<StartMoverPodResult> {
      return activity(async () => {
        const request = startMoverPodRequestCodec.decode(message);
        const settings = deps.mover;
        if (!settings) throw ApplicationFailure.nonRetryable('the agent was started without data-mover settings (gateway address and image), so it cannot start data mover pods', MOVER_NOT_CONFIGURED);
        const secret = credentialsSecret(request);
        const name = secret.metadata?.name ?? '';
        await createOwned(request.jobId, `Secret ${request.namespace}/${name}`, () => core.createNamespacedSecret({ namespace: request.namespace, body: secret }), () =>
          core.readNamespacedSecret({ namespace: request.namespace, name }),
        );
        const pod = moverPod(request, settings, await placementOf(core, request, settings.kubeletPodsDir ?? DEFAULT_KUBELET_PODS_DIR));
        const podName = pod.metadata?.name ?? '';
        const createPod = async () => {
          try {
            await core.createNamespacedPod({ namespace: request.namespace, body: pod });
          } catch (error) {
            const violation = podSecurityViolation(error);
            throw violation ? podSecurityForbidden(request.namespace, podSecurityLevel(request), violation) : error;
          }
        };
        await createOwned(request.jobId, `Pod ${request.namespace}/${podName}`, createPod, () => core.readNamespacedPod({ namespace: request.namespace, name: podName }));
        return { version: 1, namespace: request.namespace, podName };
      });
    },

    async deleteMoverPod(message: unknown): Promise<void> {
      return activity(async () => {
        const request = deleteMoverPodRequestCodec.decode(message);
        await ignoreMissing(() => core.deleteNamespacedPod({ namespace: request.namespace, name: request.podName, gracePeriodSeconds: 5 }));
      });
    },

    async describeMoverPod(message: unknown): Promise<DescribeMoverPodResult> {
      return activity(async () => {
        const request = describeMoverPodRequestCodec.decode(message);
        let pod: V1Pod;
        try {
          pod = await core.readNamespacedPod({ namespace: request.namespace, name: request.podName });
        } catch (error) {
          if (isNotFound(error)) return { version: 1, phase: 'MISSING', reason: `pod ${request.namespace}/${request.podName} does not exist` };
          throw error;
        }
        const reason = await whyNotStarted(core, pod);
        return { version: 1, phase: pod.status?.phase ?? 'Unknown', ...(reason ? { reason } : {}) };
      });
    },

    async createSnapshotClaim(message: unknown): Promise<CreateSnapshotClaimResult> {
      return activity(async () => {
        const request = createSnapshotClaimRequestCodec.decode(message);
        const claim = snapshotClaim(request);
        const name = claim.metadata?.name ?? '';
        await createOwned(request.jobId, `PersistentVolumeClaim ${request.namespace}/${name}`, () => core.createNamespacedPersistentVolumeClaim({ namespace: request.namespace, body: claim }), () =>
          core.readNamespacedPersistentVolumeClaim({ namespace: request.namespace, name }),
        );
        return { version: 1, namespace: request.namespace, claim: name };
      });
    },

    async deleteTemporaryClaim(message: unknown): Promise<void> {
      return activity(async () => {
        const request = deleteTemporaryClaimRequestCodec.decode(message);
        await ignoreMissing(() => core.deleteNamespacedPersistentVolumeClaim({ namespace: request.namespace, name: request.claim }));
      });
    },

    async cleanUpMoverJob(message: unknown): Promise<CleanUpMoverJobResult> {
      return activity(async () => {
        const request = cleanUpMoverJobRequestCodec.decode(message);
        const context = Context.current();
        return { version: 1, deleted: await cleanUpJob(deps.kubeConfig, core, request.jobId, request.keepSnapshots, () => context.heartbeat({ phase: 'waiting for deletions' })) };
      });
    },
  };
}

export type MoverPodActivities = ReturnType<typeof moverPodActivities>;
