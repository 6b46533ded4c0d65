import type { Client } from '@temporalio/client';
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow/codec-helpers.js';
import { copyHeartbeatCodec, type CopyProgress } from '../../../proto/mover/index.js';

/** Figures of one copy in flight, as its mover last heartbeated them. */
export interface LiveCopyFigures {
  namespace: string;
  claim: string;
  /** As of the last durable checkpoint (backups; 0 for restores, which have none). */
  files: number;
  bytes: number;
  /** Sampled at the last heartbeat; absent from an older mover. */
  progress?: CopyProgress;
}

/**
 * The figures of a run's copies in flight. Movers may not signal their workflow (the gateway lets them
 * answer their own task only), so a copy's progress lives in its heartbeat: each checkpoint, with the
 * claim it belongs to, and the live figures sampled at each beat. They are read from the run's pending
 * activities, decoded with the client's codec.
 */
export async function liveCopyFigures(client: Client, workflowId: string): Promise<LiveCopyFigures[]> {
  const { raw } = await client.workflow.getHandle(workflowId).describe();
  const figures: LiveCopyFigures[] = [];
  for (const pending of raw.pendingActivities ?? []) {
    if (!pending.heartbeatDetails?.payloads?.length) continue;
    const [details] = await decodeArrayFromPayloads(client.options.loadedDataConverter, pending.heartbeatDetails.payloads);
    let heartbeat;
    try {
      heartbeat = copyHeartbeatCodec.decode(details);
    } catch {
      continue; // Another activity's heartbeat, or an older mover's: no figures to show.
    }
    if (!heartbeat.volume || !(heartbeat.checkpoint || heartbeat.progress)) continue;
    figures.push({
      ...heartbeat.volume,
      files: heartbeat.checkpoint?.files ?? 0,
      bytes: heartbeat.checkpoint?.bytes ?? 0,
      ...(heartbeat.progress ? { progress: heartbeat.progress } : {}),
    });
  }
  return figures;
}
