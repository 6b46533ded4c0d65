import { setTimeout as sleep } from 'node:timers/promises';
import type { AwaitVolumeSnapshotRequest, VolumeSnapshotState } from '../../../proto/agent/index.js';
import { quantityBytes } from './quantity.js';
import type { SnapshotApi, VolumeSnapshotObject } from './snapshot-api.js';

/** How often the snapshot is read while waiting: cheap GETs, and readiness is rarely sub-second. */
export const POLL_EVERY_MS = 1_000;

type State = Omit<VolumeSnapshotState, 'version'>;

export interface AwaitOptions {
  signal?: AbortSignal;
  now?: () => number;
  /** Called after every read, e.g. to heartbeat with the snapshot's phase. */
  onPoll?: (phase: string) => void;
}

/** CUT: the controller has bound a content with a creation time (the point in time exists). */
function reached(snapshot: VolumeSnapshotObject, until: AwaitVolumeSnapshotRequest['until']): boolean {
  const status = snapshot.status;
  if (status?.readyToUse) return true;
  return until === 'CUT' && Boolean(status?.creationTime && status.boundVolumeSnapshotContentName);
}

async function describe(api: SnapshotApi, snapshot: VolumeSnapshotObject): Promise<State> {
  const status = snapshot.status ?? {};
  const contentName = status.boundVolumeSnapshotContentName;
  const content = contentName ? await api.getContent(contentName) : null;
  return {
    outcome: status.readyToUse ? 'READY' : 'CUT',
    ...(contentName ? { contentName } : {}),
    ...(content?.status?.snapshotHandle ? { snapshotHandle: content.status.snapshotHandle } : {}),
    ...(status.restoreSize ? { restoreSizeBytes: quantityBytes(status.restoreSize) } : content?.status?.restoreSize ? { restoreSizeBytes: content.status.restoreSize } : {}),
    ...(status.creationTime ? { creationTime: status.creationTime } : {}),
    ...(content?.spec?.driver ? { driver: content.spec.driver } : {}),
  };
}

/**
 * Waits for a VolumeSnapshot to reach `until`, an error status, or the timeout. Errors and timeouts are
 * answers: the workflow fails that PV with the reason and goes on with the others. An error status is
 * final here although the controller may retry: the run cannot wait on hope, and the reason is the
 * controller's own message.
 */
export async function awaitVolumeSnapshot(api: SnapshotApi, request: AwaitVolumeSnapshotRequest, options: AwaitOptions = {}): Promise<State> {
  const now = options.now ?? Date.now;
  const deadline = now() + request.timeoutSeconds * 1000;
  const where = `VolumeSnapshot ${request.namespace}/${request.snapshotName}`;
  for (;;) {
    const snapshot = await api.get(request.namespace, request.snapshotName);
    if (!snapshot) return { outcome: 'MISSING', reason: `${where} no longer exists (deleted outside Haven)` };
    options.onPoll?.(snapshot.status?.readyToUse ? 'ready' : snapshot.status?.creationTime ? 'cut' : 'pending');
    if (snapshot.status?.error?.message) return { outcome: 'ERROR', reason: `${where} failed: ${snapshot.status.error.message}` };
    if (reached(snapshot, request.until)) return describe(api, snapshot);
    if (now() >= deadline) {
      const wanted = request.until === 'READY' ? 'ready to use' : 'taken';
      return { outcome: 'TIMED_OUT', reason: `${where} was still not ${wanted} when the wait ended` };
    }
    await sleep(Math.min(POLL_EVERY_MS, Math.max(0, deadline - now())), undefined, { signal: options.signal });
  }
}

