import { setHandler } from '@temporalio/workflow';
import type { HookReportMessage } from '../proto/agent/index.js';
import type { CopyToFill, FillChange } from './restore-copies.js';
import { RESTORE_STEPS, restoreProgressQuery, type RestoreProgress, type RestoreStep, type RestoreVolumeProgress } from './restore-progress.js';

/**
 * What a restore run knows as it goes, and how the `progress` query shows it: the step (recorded on the
 * job too), the objects' counts, each PV's state, and the post-restore hooks with the pods they ran in.
 */
export class RestoreTracker {
  progress: RestoreProgress = { step: 'VALIDATING', description: RESTORE_STEPS.VALIDATING, stepStartedAt: new Date().toISOString() };
  /** The recovery point's PVs this run brings back, updated in place as their claims are created and filled. */
  volumes: RestoreVolumeProgress[] = [];
  readonly hookReports: HookReportMessage[] = [];

  constructor(private readonly recordStep: (step: string) => Promise<void>) {
    setHandler(restoreProgressQuery, () => this.progress);
  }

  /** The run enters `step`: shown at once, and on the job unless it is how the run ended. */
  async enter(step: RestoreStep, recordOnJob = true): Promise<void> {
    this.progress = { ...this.progress, step, description: RESTORE_STEPS[step], stepStartedAt: new Date().toISOString() };
    if (recordOnJob) await this.recordStep(RESTORE_STEPS[step]);
  }

  showCounts(counts: RestoreProgress['counts']): void {
    this.progress = { ...this.progress, counts };
  }

  readonly onVolumeChange = (): void => {
    this.progress = { ...this.progress, volumes: this.volumes.map((v) => ({ ...v })) };
  };

  /** A copied PV's fill moved on (FILLING, FILLED with its figures, FAILED with why). */
  readonly onFillChange = (fill: CopyToFill, state: RestoreVolumeProgress['state'], change: FillChange = {}): void => {
    const volume = this.volumes.find((v) => v.namespace === fill.claim.namespace && v.claim === fill.claim.claim);
    if (volume) Object.assign(volume, { state, ...change });
    this.onVolumeChange();
  };

  readonly onHookReport = (report: HookReportMessage): void => {
    this.hookReports.push(report);
    this.progress = {
      ...this.progress,
      hooks: this.hookReports.map(({ hook, type, verdict, outcomes }) => ({ hook, type, verdict, pods: outcomes.filter((o) => o.status !== 'SKIPPED').map((o) => `${o.namespace}/${o.pod}`) })),
    };
  };
}
