import type { CommandContext } from '../command.js';
import { CommandFailed } from '../command.js';
import { render } from '../output.js';
import { jobUpdates } from './job-updates.js';
import { outcomeLines, progressFrame, progressLine } from './job-progress.js';
import type { WatchedJob } from './job-progress.js';

/** Fallback width when a terminal does not say (no `columns`, or 0: a pseudo-terminal without a window size). */
const DEFAULT_COLUMNS = 100;
/** ANSI: move to the start of the line `n` lines up, then clear to the end of the screen. */
const rewind = (lines: number) => (lines > 0 ? `\x1b[${lines}F\x1b[J` : '');

/**
 * Follows a job until it ends: a redrawn progress bar on a terminal, one line per change otherwise, and
 * with -o json|yaml only the finished job. Fails (exit code 1) unless the job COMPLETED, so scripts can
 * chain on it.
 */
export async function watchJob(context: CommandContext, jobId: string): Promise<WatchedJob> {
  const { stdout } = context;
  const human = context.output === 'table';
  const terminal = human && Boolean(stdout.isTTY);
  let drawn = 0;
  let lastLine = '';
  let job: WatchedJob | undefined;
  for await (const update of jobUpdates(context.client, context.connection, jobId)) {
    job = update;
    if (terminal) {
      const frame = progressFrame(job, { width: stdout.columns || DEFAULT_COLUMNS, now: new Date() });
      stdout.write(rewind(drawn) + frame.join('\n') + '\n');
      drawn = frame.length;
    } else if (human) {
      const line = progressLine(job);
      if (line !== lastLine) stdout.write(`${line}\n`);
      lastLine = line;
    }
  }
  if (!job) throw new CommandFailed(`job ${jobId}: no state received`);
  if (human) stdout.write(`${outcomeLines(job).join('\n')}\n`);
  else stdout.write(render(context.output, job, () => ''));
  if (job.status !== 'COMPLETED') throw new CommandFailed(`job ${job.id} ended ${job.status}`);
  return job;
}
