import type { Job } from '../../../lib/client/client.js';
import { formatBytes, formatDuration } from '../output.js';

/** `progress` of GET /jobs/{id} (docs/api.md): null unless the job is RUNNING and its run could be asked. */
export type JobProgress = NonNullable<Job['progress']>;

/** A job as the API answers it. */
export type WatchedJob = Job;

export const isFinished = (job: Pick<Job, 'status'>) => job.status !== 'RUNNING';

interface Figures {
  bytesDone: number;
  bytesExpected: number | null;
  filesDone: number;
  filesExpected: number | null;
  bytesPerSecond: number | null;
  etaSeconds: number | null;
}

const fraction = (figures: Figures): number | null =>
  figures.bytesExpected && figures.bytesExpected > 0 ? Math.min(1, figures.bytesDone / figures.bytesExpected) : null;

/** `[██████░░░░]`: filled in proportion; unknown totals draw an empty bar. */
export function bar(done: number | null, width: number): string {
  const filled = done === null ? 0 : Math.round(done * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`;
}

/** `52%  1.2 GiB / 2.3 GiB  files 1204 / 2310  34 MiB/s  ETA 32s`, leaving out what is not known. */
export function figuresText(figures: Figures): string {
  const share = fraction(figures);
  const parts = [
    share === null ? undefined : `${Math.floor(share * 100)}%`.padStart(4),
    figures.bytesExpected === null ? `${formatBytes(figures.bytesDone)}` : `${formatBytes(figures.bytesDone)} / ${formatBytes(figures.bytesExpected)}`,
    figures.filesExpected === null ? `files ${figures.filesDone}` : `files ${figures.filesDone} / ${figures.filesExpected}`,
    figures.bytesPerSecond === null ? undefined : `${formatBytes(figures.bytesPerSecond)}/s`,
    figures.etaSeconds === null ? undefined : `ETA ${formatDuration(figures.etaSeconds)}`,
  ];
  return parts.filter((part) => part !== undefined).join('  ');
}

/** Narrower than this a bar says little: the line leaves it out and keeps its figures. */
const MIN_BAR = 10;

/** The widest bar up to `most` cells that leaves `rest` characters of its line within `width`; 0 when less than MIN_BAR would. */
function barRoom(width: number, rest: number, most: number): number {
  const room = Math.min(most, width - 1 - rest - '[]'.length);
  return room >= MIN_BAR ? room : 0;
}

const drawn = (done: number | null, width: number) => (width > 0 ? `${bar(done, width)} ` : '');

const title = (job: WatchedJob) => `${job.kind.toLowerCase().replace(/_/g, ' ')} ${job.definitionName} (job ${job.id})`;

/**
 * The frame `haven job watch` redraws on a terminal: the job, its step, an overall bar and one bar per
 * volume. Pure, so it is tested on contract-shaped data; `now` gives the elapsed times.
 */
export function progressFrame(job: WatchedJob, { width, now }: { width: number; now: Date }): string[] {
  const elapsed = formatDuration((now.getTime() - Date.parse(job.startedAt)) / 1000);
  const lines = [`${title(job)}  ${job.status}  ${elapsed}`];
  const progress = job.progress;
  if (!progress) {
    lines.push(job.status === 'RUNNING' ? '  no progress reported yet' : `  ${job.message}`);
    return lines;
  }
  const inStep = formatDuration((now.getTime() - Date.parse(progress.stepStartedAt)) / 1000);
  lines.push(`  ${progress.description} (${progress.step}, ${inStep})`);
  // Bars take the room the figures leave: on a narrow terminal the figures stay whole.
  const total = figuresText(progress);
  lines.push(`  ${drawn(fraction(progress), barRoom(width, '  '.length + ' '.length + total.length, 40))}${total}`);
  const labels = progress.volumes.map((volume) => `${volume.namespace}/${volume.claim}`);
  const labelWidth = Math.max(0, ...labels.map((label) => label.length));
  const tails = progress.volumes.map((volume) => `${volume.state}  ${figuresText(volume)}`);
  // One width for every volume's bar, so their states line up.
  const volumeBar = barRoom(width, '    '.length + labelWidth + '  '.length + ' '.length + Math.max(0, ...tails.map((tail) => tail.length)), 30);
  progress.volumes.forEach((volume, i) => {
    lines.push(`    ${labels[i]!.padEnd(labelWidth)}  ${drawn(fraction(volume), volumeBar)}${tails[i]}`);
  });
  // A terminal wraps long lines, which would break redrawing by line count.
  return lines.map((line) => (line.length > width ? line.slice(0, Math.max(1, width - 1)) : line));
}

/** One line per change when stdout is not a terminal (logs, CI): the status, the step and the figures. */
export function progressLine(job: WatchedJob): string {
  const progress = job.progress;
  if (!progress) return `${job.status}${job.message ? `  ${job.message}` : ''}`;
  return `${job.status}  ${progress.step}  ${figuresText(progress)}`;
}

/** How the job ended, for both modes; the errors each on their own line. */
export function outcomeLines(job: WatchedJob): string[] {
  const took = job.durationSeconds === null ? '' : ` after ${formatDuration(job.durationSeconds)}`;
  const moved = `${formatBytes(job.bytesTransferred)}, ${job.filesTransferred} files`;
  const lines = [`${job.status}${took}: ${moved}${job.skipReason ? `; skipped: ${job.skipReason}` : ''}${job.message ? `; ${job.message}` : ''}`];
  for (const error of job.errors) lines.push(`  error${error.resource ? ` (${error.resource})` : ''}: ${error.message}`);
  return lines;
}
