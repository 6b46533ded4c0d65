import { setTimeout as sleep } from 'node:timers/promises';
import type { RestoredClaim, RestoredClaimState } from '../../../proto/agent/restore-volumes.js';
import { KubeApiError, type KubeRestClient } from '../../../lib/kube/rest-client.js';
import { SNAPSHOT_API } from './snapshot-sources.js';

const POLL_MS = 1_000;
/**
 * A claim of a WaitForFirstConsumer class is provisioned only once a pod uses it. The restored
 * workloads' controllers create their pods asynchronously, so a claim counts as waiting for a consumer
 * only after this long without one.
 */
export const CONSUMER_GRACE_MS = 30_000;
const SELECTED_NODE_ANNOTATION = 'volume.kubernetes.io/selected-node';

interface ClaimObject {
  metadata: { annotations?: Record<string, string> };
  spec?: { storageClassName?: string; volumeName?: string };
  status?: { phase?: string };
}

const path = (namespace: string, collection: string, name = '') => `/api/v1/namespaces/${encodeURIComponent(namespace)}/${collection}${name ? `/${encodeURIComponent(name)}` : ''}`;

async function readOptional<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof KubeApiError && error.status === 404) return undefined;
    throw error;
  }
}

/**
 * Waits until every claim restored from a snapshot is provisioned (Bound), its snapshot source reports
 * an error, or the deadline passes; each claim ends with its own state, so one failure never hides the
 * others. At the deadline the provisioner's latest complaint about the claim is the reason.
 */
export async function awaitRestoredClaims(
  kube: KubeRestClient,
  claims: readonly RestoredClaim[],
  options: { timeoutMs: number; signal?: AbortSignal; onPoll?: (pending: number) => void; now?: () => number },
): Promise<RestoredClaimState[]> {
  const now = options.now ?? Date.now;
  const started = now();
  const deadline = started + options.timeoutMs;
  const states = new Map<RestoredClaim, RestoredClaimState>();
  const settle = (claim: RestoredClaim, state: RestoredClaimState['state'], extra: Partial<RestoredClaimState> = {}) =>
    states.set(claim, { namespace: claim.namespace, claim: claim.claim, targetNamespace: claim.targetNamespace, state, ...extra });

  for (;;) {
    for (const claim of claims) {
      if (states.has(claim)) continue;
      const pvc = await readOptional(() => kube.get<ClaimObject>(path(claim.targetNamespace, 'persistentvolumeclaims', claim.claim)));
      if (!pvc) {
        settle(claim, 'FAILED', { reason: 'the restored claim was deleted before it was provisioned' });
      } else if (pvc.status?.phase === 'Bound') {
        settle(claim, 'BOUND', pvc.spec?.volumeName ? { volumeName: pvc.spec.volumeName } : {});
      } else {
        const sourceError = await snapshotError(kube, claim);
        if (sourceError) settle(claim, 'FAILED', { reason: `its snapshot source failed: ${sourceError}` });
        else if (now() - started >= CONSUMER_GRACE_MS && (await waitsForConsumer(kube, claim, pvc))) {
          settle(claim, 'WAITING_FOR_CONSUMER', { reason: `its storage class binds on first use and no pod uses it yet; it is filled from VolumeSnapshot ${claim.snapshotName} when one does` });
        }
      }
    }
    const pending = claims.filter((c) => !states.has(c));
    options.onPoll?.(pending.length);
    if (pending.length === 0) break;
    if (now() >= deadline) {
      for (const claim of pending) {
        const complaint = await latestProvisioningFailure(kube, claim);
        settle(claim, 'FAILED', { reason: `not provisioned within ${Math.round(options.timeoutMs / 60_000)} min${complaint ? `: ${complaint}` : ''}` });
      }
      break;
    }
    await sleep(POLL_MS, undefined, options.signal ? { signal: options.signal } : undefined);
  }
  return claims.map((c) => states.get(c)!);
}

async function snapshotError(kube: KubeRestClient, claim: RestoredClaim): Promise<string | undefined> {
  const snapshot = await readOptional(() =>
    kube.get<{ status?: { error?: { message?: string } } }>(`${SNAPSHOT_API}/namespaces/${encodeURIComponent(claim.targetNamespace)}/volumesnapshots/${encodeURIComponent(claim.snapshotName)}`),
  );
  if (!snapshot) return `VolumeSnapshot ${claim.targetNamespace}/${claim.snapshotName} does not exist`;
  return snapshot.status?.error?.message;
}

async function waitsForConsumer(kube: KubeRestClient, claim: RestoredClaim, pvc: ClaimObject): Promise<boolean> {
  if (pvc.metadata.annotations?.[SELECTED_NODE_ANNOTATION] || !pvc.spec?.storageClassName) return false;
  const storageClass = await readOptional(() => kube.get<{ volumeBindingMode?: string }>(`/apis/storage.k8s.io/v1/storageclasses/${encodeURIComponent(pvc.spec!.storageClassName!)}`));
  if (storageClass?.volumeBindingMode !== 'WaitForFirstConsumer') return false;
  for await (const pod of kube.list<{ spec?: { volumes?: { persistentVolumeClaim?: { claimName?: string } }[] } }>(path(claim.targetNamespace, 'pods'))) {
    if (pod.spec?.volumes?.some((v) => v.persistentVolumeClaim?.claimName === claim.claim)) return false;
  }
  return true;
}

async function latestProvisioningFailure(kube: KubeRestClient, claim: RestoredClaim): Promise<string | undefined> {
  const events: { reason?: string; message?: string; lastTimestamp?: string; eventTime?: string }[] = [];
  const fieldSelector = `involvedObject.kind=PersistentVolumeClaim,involvedObject.name=${claim.claim}`;
  for await (const event of kube.list<(typeof events)[number]>(path(claim.targetNamespace, 'events'), { fieldSelector })) {
    if (event.reason === 'ProvisioningFailed') events.push(event);
  }
  events.sort((a, b) => (a.lastTimestamp ?? a.eventTime ?? '').localeCompare(b.lastTimestamp ?? b.eventTime ?? ''));
  return events.at(-1)?.message;
}
