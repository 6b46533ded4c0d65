import { setHandler } from '@temporalio/workflow';
import type { BackupVolume, HookReportMessage } from '../proto/agent/index.js';
import type { VolumeCopy } from './backup-copy.js';
import { BACKUP_STEPS, progressQuery, type BackupProgress, type BackupStep } from './backup-progress.js';
import type { VolumeOutcome } from './backup-volumes.js';

/**
 * What a backup run knows as it goes, and how the `progress` query shows it: the step (recorded on the
 * job too), the hooks' reports, and each PV's snapshot or copy (with its figures once copied; live figures are
 * in the pending copy's heartbeat, services/api/seams/live-copy-progress.ts).
 * `volumes` and `copies` are updated in place by the steps, so a run that stops knows what it created.
 */
export class BackupTracker {
  progress: BackupProgress = { step: 'CHECKING', description: BACKUP_STEPS.CHECKING, stepStartedAt: new Date().toISOString() };
  readonly hookReports: HookReportMessage[] = [];
  /** The PVs this run snapshots (snapshot-only, or copied from a snapshot). */
  volumes: VolumeOutcome[] = [];
  /** The PVs this run copies, live ones first. */
  copies: VolumeCopy[] = [];

  constructor(private readonly recordStep: (step: string) => Promise<void>) {
    setHandler(progressQuery, () => this.progress);
  }

  /** The run enters `step`: shown at once, and on the job unless it is how the run ended. */
  async enter(step: BackupStep, extra: Partial<BackupProgress> = {}, recordOnJob = true): Promise<void> {
    this.progress = { ...this.progress, ...extra, step, description: BACKUP_STEPS[step], stepStartedAt: new Date().toISOString() };
    if (recordOnJob) await this.recordStep(BACKUP_STEPS[step]);
  }

  /** A batch of this run's PVs (`backup-volume-batches.ts`) is at work in this child workflow: readers of the progress ask it too. */
  batchStarted(workflowId: string): void {
    this.progress = { ...this.progress, batches: [...(this.progress.batches ?? []), workflowId] };
  }

  batchEnded(workflowId: string): void {
    const batches = (this.progress.batches ?? []).filter((id) => id !== workflowId);
    const { batches: _ended, ...rest } = this.progress;
    this.progress = batches.length > 0 ? { ...rest, batches } : rest;
  }

  readonly onHookReport = (report: HookReportMessage): void => {
    this.hookReports.push(report);
    this.progress = { ...this.progress, hooks: this.hookReports.map(({ hook, type, verdict }) => ({ hook, type, verdict })) };
  };

  readonly onVolumeChange = (): void => {
    const copyOf = (v: BackupVolume) => this.copies.find((c) => c.volume.namespace === v.namespace && c.volume.claim === v.claim);
    const snapshotState = (o: VolumeOutcome) => (o.failure ? 'FAILED' : (o.state?.outcome ?? (o.snapshotName ? 'CREATED' : 'PENDING')));
    const tracked = [...this.copies.filter((c) => c.source !== 'SNAPSHOT').map((c) => c.volume), ...this.volumes.map((o) => o.volume)];
    this.progress = {
      ...this.progress,
      volumes: tracked.map((volume) => {
        const copy = copyOf(volume);
        const outcome = this.volumes.find((o) => o.volume === volume);
        const done = copy?.result;
        return {
          namespace: volume.namespace,
          claim: volume.claim,
          state: copy && copy.state !== 'PENDING' ? copy.state : outcome ? snapshotState(outcome) : 'PENDING',
          ...(done ? { bytes: done.bytes, files: done.files } : {}),
        };
      }),
    };
  };
}
