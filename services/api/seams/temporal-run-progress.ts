import type { Client } from '@temporalio/client';
import type { JobKind } from '../../../lib/common/enums.js';
import type { BackupProgress } from '../../../workflows/backup-progress.js';
import type { ReplicationProgress } from '../../../workflows/replication-progress.js';
import type { RestoreProgress } from '../../../workflows/restore-progress.js';
import { liveCopyFigures } from './live-copy-progress.js';
import type { LiveCopy, RunProgressReader, RunReading, RunVolume } from './run-progress.js';

/** A read of one job waits no longer than this for Temporal: the rest of the job answers regardless. */
export const RUN_PROGRESS_DEADLINE_MS = 2_000;

/** The query's name in every run workflow (workflows/*-progress.ts). */
const PROGRESS_QUERY = 'progress';

type CopyingRunProgress = BackupProgress | RestoreProgress;

function runVolume(v: NonNullable<CopyingRunProgress['volumes']>[number]): RunVolume {
  return {
    namespace: v.namespace,
    claim: v.claim,
    state: v.state,
    ...('bytes' in v && v.bytes !== undefined ? { bytes: v.bytes } : {}),
    ...('files' in v && v.files !== undefined ? { files: v.files } : {}),
  };
}

/**
 * Reads a run's progress from Temporal: its `progress` query (the step, the volumes' states) and, at the
 * same time, its pending activities' heartbeats (the copies' live figures). A replication answers with
 * its step, and the figures of the backup or restore run it is waiting for.
 */
export class TemporalRunProgress implements RunProgressReader {
  constructor(
    private readonly client: Client,
    private readonly deadlineMs = RUN_PROGRESS_DEADLINE_MS,
  ) {}

  async read(run: { kind: JobKind; workflowId: string }): Promise<RunReading | null> {
    if (run.kind === 'RECOVERY_POINT_DELETE') return null;
    try {
      return await this.client.withDeadline(Date.now() + this.deadlineMs, () => (run.kind === 'REPLICATION' ? this.readReplication(run.workflowId) : this.readCopyingRun(run.workflowId)));
    } catch {
      // Unreachable, too slow, or the run has just ended: the job's own record still answers.
      return null;
    }
  }

  private async readCopyingRun(workflowId: string): Promise<RunReading> {
    const [progress, live] = await Promise.all([this.client.workflow.getHandle(workflowId).query<CopyingRunProgress>(PROGRESS_QUERY), this.liveCopies(workflowId)]);
    const volumes = (progress.volumes ?? []).map(runVolume);
    // A backup works on its PVs in batches (child workflows): each batch at work knows its PVs' states
    // better than the run, and holds their copies in flight.
    const batches = 'batches' in progress ? (progress.batches ?? []) : [];
    for (const batch of await Promise.all(batches.map((id) => this.readCopyingRun(id).catch(() => undefined)))) {
      if (!batch) continue;
      for (const volume of batch.volumes) {
        const index = volumes.findIndex((v) => v.namespace === volume.namespace && v.claim === volume.claim);
        if (index >= 0) volumes[index] = volume;
        else volumes.push(volume);
      }
      live.push(...batch.live);
    }
    return { step: progress.step, description: progress.description, stepStartedAt: progress.stepStartedAt, volumes, live };
  }

  private async readReplication(workflowId: string): Promise<RunReading> {
    const progress = await this.client.workflow.getHandle(workflowId).query<ReplicationProgress>(PROGRESS_QUERY);
    const phase = progress.step === 'BACKING_UP' ? progress.backup : progress.step === 'RESTORING' ? progress.restore : undefined;
    const own = { step: progress.step, description: progress.description, stepStartedAt: progress.stepStartedAt };
    if (!phase) return { ...own, volumes: [], live: [] };
    const inner = await this.readCopyingRun(phase.workflowId);
    return { ...own, description: `${own.description}: ${inner.description.charAt(0).toLowerCase()}${inner.description.slice(1)}`, volumes: inner.volumes, live: inner.live };
  }

  private async liveCopies(workflowId: string): Promise<LiveCopy[]> {
    const figures = await liveCopyFigures(this.client, workflowId);
    return figures.flatMap(({ namespace, claim, progress }) => (progress ? [{ namespace, claim, progress }] : []));
  }
}
