import { describe, expect, it } from 'vitest';
import { serverSentEvents } from '../../services/cli/progress/event-stream.js';
import { bar, outcomeLines, progressFrame, progressLine } from '../../services/cli/progress/job-progress.js';
import type { JobProgress, WatchedJob } from '../../services/cli/progress/job-progress.js';

/**
 * `haven job watch` renders GET /jobs/{id}'s `progress` (the contract in docs/cli.md); these figures are
 * shaped as that contract says, so the rendering is proven before and after the API serves them.
 */
const NOW = new Date('2025-06-01T10:01:05Z');

const aJob = (overrides: Partial<WatchedJob> = {}): WatchedJob => ({
  id: '6f1c1c1e-0d4e-4a43-9f54-3f0c3c2b9a11',
  kind: 'BACKUP',
  definitionId: '0b8d8a02-6b0a-4c3d-8a55-6d7c5b7f7e01',
  definitionName: 'shop',
  clusterId: null,
  status: 'RUNNING',
  skipReason: null,
  message: '',
  startedAt: '2025-06-01T10:00:00Z',
  endedAt: null,
  durationSeconds: null,
  filesTransferred: 0,
  bytesTransferred: 0,
  errors: [],
  drill: null,
  workflowId: 'backup-x',
  workflowRunId: null,
  temporalUiUrl: 'http://127.0.0.1:8233/namespaces/default/workflows/backup-x',
  progress: null,
  ...overrides,
});

const copying: JobProgress = {
  step: 'COPYING_VOLUMES',
  description: 'Copying volumes',
  stepStartedAt: '2025-06-01T10:00:23Z',
  updatedAt: '2025-06-01T10:01:04Z',
  bytesDone: 512 * 1024 * 1024,
  bytesExpected: 2048 * 1024 * 1024,
  filesDone: 120,
  filesExpected: 400,
  bytesPerSecond: 32 * 1024 * 1024,
  etaSeconds: 48,
  volumes: [
    { namespace: 'shop', claim: 'data', state: 'COPYING', bytesDone: 512 * 1024 * 1024, bytesExpected: 1024 * 1024 * 1024, filesDone: 120, filesExpected: 200, bytesPerSecond: 32 * 1024 * 1024, etaSeconds: 16 },
    { namespace: 'shop', claim: 'uploads', state: 'WAITING', bytesDone: 0, bytesExpected: null, filesDone: 0, filesExpected: null, bytesPerSecond: null, etaSeconds: null },
  ],
};

describe('the progress frame on a terminal', () => {
  it('shows the job, the step for people with its key and time in it, an overall bar and a bar per volume', () => {
    const frame = progressFrame(aJob({ progress: copying }), { width: 160, now: NOW });
    expect(frame[0]).toBe('backup shop (job 6f1c1c1e-0d4e-4a43-9f54-3f0c3c2b9a11)  RUNNING  1m05s');
    expect(frame[1]).toBe('  Copying volumes (COPYING_VOLUMES, 42s)');
    // A quarter done: a quarter of the 40-cell bar filled.
    expect(frame[2]).toBe(`  [${'█'.repeat(10)}${'░'.repeat(30)}]  25%  512 MiB / 2.0 GiB  files 120 / 400  32 MiB/s  ETA 48s`);
    expect(frame[3]).toBe(`    shop/data     [${'█'.repeat(15)}${'░'.repeat(15)}] COPYING   50%  512 MiB / 1.0 GiB  files 120 / 200  32 MiB/s  ETA 16s`);
    // Unknown totals, rate and ETA are left out rather than shown as 0 or NaN.
    expect(frame[4]).toBe(`    shop/uploads  [${'░'.repeat(30)}] WAITING  0 B  files 0`);
    expect(frame).toHaveLength(5);
  });

  it('never draws a line wider than the terminal (wrapped lines would break the redraw)', () => {
    for (const line of progressFrame(aJob({ progress: copying }), { width: 50, now: NOW })) expect(line.length).toBeLessThan(50);
  });

  it('on a narrower terminal narrows the bars, then leaves a volume\'s bar out, so its share and sizes stay on the line', () => {
    const long = { ...copying, volumes: [{ ...copying.volumes[0]!, namespace: 'emu-mxajpveu-y16az-progress-1' }] };
    const [, , total, volume] = progressFrame(aJob({ progress: long }), { width: 100, now: NOW });
    expect(total).toBe(`  [${'█'.repeat(9)}${'░'.repeat(26)}]  25%  512 MiB / 2.0 GiB  files 120 / 400  32 MiB/s  ETA 48s`);
    expect(volume).toBe('    emu-mxajpveu-y16az-progress-1/data  COPYING   50%  512 MiB / 1.0 GiB  files 120 / 200  32 MiB/s');
  });

  it('without progress (an API without it, or not measured yet) shows the status only', () => {
    expect(progressFrame(aJob(), { width: 120, now: NOW })).toEqual(['backup shop (job 6f1c1c1e-0d4e-4a43-9f54-3f0c3c2b9a11)  RUNNING  1m05s', '  no progress reported yet']);
    expect(progressFrame(aJob({ progress: null }), { width: 120, now: NOW })).toHaveLength(2);
  });

  it('bars are filled in proportion and never overflow', () => {
    expect(bar(0, 4)).toBe('[░░░░]');
    expect(bar(1, 4)).toBe('[████]');
    expect(bar(null, 4)).toBe('[░░░░]');
  });
});

describe('plain lines (stdout is not a terminal)', () => {
  it('one line: the status, the step key and the figures', () => {
    expect(progressLine(aJob({ progress: copying }))).toBe('RUNNING  COPYING_VOLUMES   25%  512 MiB / 2.0 GiB  files 120 / 400  32 MiB/s  ETA 48s');
  });

  it('the status alone when there is no progress', () => {
    expect(progressLine(aJob())).toBe('RUNNING');
    expect(progressLine(aJob({ message: 'Waiting for the agent' }))).toBe('RUNNING  Waiting for the agent');
  });

  it('the outcome says how it ended, what moved and each error', () => {
    const failed = aJob({ status: 'FAILED', durationSeconds: 75, bytesTransferred: 3 * 1024 * 1024, filesTransferred: 12, message: 'hook failed', errors: [{ message: 'exit code 3', resource: 'shop/db' }] });
    expect(outcomeLines(failed)).toEqual(['FAILED after 1m15s: 3.0 MiB, 12 files; hook failed', '  error (shop/db): exit code 3']);
  });
});

describe('the job event stream (text/event-stream)', () => {
  async function* chunks(...parts: string[]) {
    yield* parts;
  }
  const collect = async (parts: string[]) => {
    const events = [];
    for await (const event of serverSentEvents(chunks(...parts))) events.push(event);
    return events;
  };

  it('yields each event however the bytes were split, skipping keep-alive comments', async () => {
    const job = JSON.stringify(aJob({ progress: copying }));
    const text = `: ping\n\nevent: job\ndata: ${job}\n\n: ping\n\nevent: job\ndata: ${JSON.stringify(aJob({ status: 'COMPLETED' }))}\n\nevent: end\ndata: \n\n`;
    const whole = await collect([text]);
    expect(whole.map((event) => event.event)).toEqual(['job', 'job', 'end']);
    expect(JSON.parse(whole[0]!.data)).toEqual(JSON.parse(job));
    const split = await collect(text.match(/[\s\S]{1,7}/g)!);
    expect(split).toEqual(whole);
  });

  it('takes CRLF line ends, joins data lines, and dispatches a named event that has no data', async () => {
    expect(await collect(['event: job\r\ndata: {"a":\r\ndata: 1}\r\n\r\nevent: end\r\n\r\n'])).toEqual([
      { event: 'job', data: '{"a":\n1}' },
      { event: 'end', data: '' },
    ]);
  });
});
