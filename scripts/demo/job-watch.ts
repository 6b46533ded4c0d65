import { setTimeout as sleep } from 'node:timers/promises';
import type { Job } from '../../lib/client/client.js';
import type { HavenApi } from './api-client.js';
import { bytes, duration } from './units.js';

/** GET /jobs/{id} as the API's document declares it (the generated client's type); `progress` while a run reports it. */
export type JobView = Job;

function progressLine(job: JobView, elapsedMs: number): string {
  const p = job.progress;
  if (!p) return `${job.status.toLowerCase()} ${duration(elapsedMs / 1000)}${job.message ? ` — ${job.message}` : ''}`;
  const of = (done: number, expected: number | null, unit: (n: number) => string) => (expected === null ? unit(done) : `${unit(done)}/${unit(expected)}`);
  const parts = [p.description || p.step, `${of(p.bytesDone, p.bytesExpected, bytes)}`, `${of(p.filesDone, p.filesExpected, String)} files`];
  if (p.bytesPerSecond !== null) parts.push(`${bytes(p.bytesPerSecond)}/s`);
  if (p.etaSeconds !== null) parts.push(`ETA ${duration(p.etaSeconds)}`);
  const volumes = p.volumes.filter((v) => v.state !== 'DONE' && v.state !== 'COPIED').map((v) => `${v.namespace}/${v.claim} ${v.state.toLowerCase()}`);
  if (volumes.length > 0) parts.push(volumes.join(', '));
  return `${parts.join(' · ')} (${duration(elapsedMs / 1000)})`;
}

/** Where the demo writes: its stdout, or what a test captures. */
export interface DemoOutput {
  isTTY?: boolean;
  /** A terminal's width; 0 or absent when it does not say (a pseudo-terminal without a window size). */
  columns?: number;
  write(text: string): unknown;
}

/** Fallback width when a terminal does not say. */
const DEFAULT_COLUMNS = 120;

/**
 * Follows a job until it is no longer RUNNING, showing its live progress: on a terminal one line kept
 * up to date, otherwise a line whenever the step or the figures change.
 */
export async function watchJob(api: HavenApi, jobId: string, label: string, out: DemoOutput = process.stdout): Promise<JobView> {
  const tty = out.isTTY;
  const started = Date.now();
  let last = '';
  for (;;) {
    const job = await api.get<JobView>(`/jobs/${jobId}`);
    if (job.status !== 'RUNNING') {
      if (tty) out.write('\r\x1b[2K');
      return job;
    }
    const line = progressLine(job, Date.now() - started);
    if (tty) {
      out.write(`\r\x1b[2K  ${label}: ${line.slice(0, (out.columns || DEFAULT_COLUMNS) - label.length - 5)}`);
    } else {
      // Without a terminal, a line per change of what is happening, not per second that passed.
      const gist = line.replace(/ \([^)]*\)$/, '').replace(/^running \S+/, 'running');
      if (gist !== last) out.write(`  ${label}: ${line}\n`);
      last = gist;
    }
    await sleep(1000);
  }
}
