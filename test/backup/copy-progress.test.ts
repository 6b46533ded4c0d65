import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openJobEventStreams } from '../../services/api/resources/jobs/events-route.js';
import type { Job, VolumeProgress } from '../../services/api/resources/jobs/schema.js';
import { createBackupDefinition, createCluster, expectStatus } from '../api/helpers/fixtures.js';
import { openEventStream, type ServerSentEvent } from '../api/helpers/event-stream.js';
import { eventually, startEmulatedCluster, type EmulatedCluster } from '../emulator/helpers/cluster.js';
import { seededBytes } from '../fixtures/volume-data.js';
import { s3Server } from '../support/s3-servers.js';
import { startSlowLink, type SlowLink } from '../support/slow-link.js';
import { removeRestoredNamespaces } from '../restore/helpers/restored-namespaces.js';
import { uniqueName } from '../support/stack-env.js';
import { createStackS3Target } from './helpers/stack-target.js';
import { runHaven, runHavenOnTerminal, type CliRun } from '../cli/helpers/haven-cli.js';
import { printedBytes, printedFigures, terminalLines, type PrintedFigures } from '../cli/helpers/terminal-frames.js';
import { HavenApi } from '../../scripts/demo/api-client.js';
import { watchJob as demoWatchJob, type JobView as DemoJobView } from '../../scripts/demo/job-watch.js';
import { startBackupStack, type BackupStack } from './helpers/backup-stack.js';
import { deployEmulatedApp, type EmulatedApp } from './helpers/emulated-app.js';
import { recordedCopies } from './helpers/run-repository.js';
import { jobAfterRun, runNow, untilClusterActive, type JobView } from './helpers/runs.js';

let stack: BackupStack;
let cluster: EmulatedCluster;
let app: EmulatedApp;
let serverUrl: string;
let baseUrl: string;
let viewerKey: string;
let otherOrgKey: string;
let definitionId: string;
let clusterId: string;
/** Between the movers and the repository's S3 server: full speed, until the restore reads over it. */
let link: SlowLink;
/** The backup's job, whose recovery point the restore reads. */
let backupJobId: string;

beforeAll(async () => {
  cluster = await startEmulatedCluster();
  app = await deployEmulatedApp(cluster, { label: 'progress' });
  // 40 files of 512 KiB read at 1 MB/s (the definition's per-stream cap): a copy of ~20 s, several heartbeats long.
  await mkdir(join(app.dataPath, 'bulk'));
  for (let i = 0; i < 40; i++) await writeFile(join(app.dataPath, 'bulk', `part-${i}.bin`), seededBytes(`progress-${i}`, 512 * 1024));
  stack = await startBackupStack();
  clusterId = (await createCluster(stack.client)).id;
  const server = s3Server('versitygw');
  link = await startSlowLink(server.endpoint);
  const storageTargetId = await createStackS3Target(stack, 'copy-progress', { ...server, endpoint: link.endpoint });
  await stack.startAgent(clusterId, { executor: cluster.node.executor });
  await untilClusterActive(stack.client, clusterId);
  definitionId = (
    await createBackupDefinition(stack.client, clusterId, {
      selection: { scope: 'SELECTED_NAMESPACES', namespaces: [app.namespace] },
      persistentVolumes: { mode: 'BACKUP_TO_OBJECT_STORAGE' },
      advanced: { destinationStorageTargetId: storageTargetId, maxSpeedPerStreamMBps: 1 },
    })
  ).id;
  viewerKey = expectStatus<{ key: string }>(await stack.client.post('/api-keys', { name: 'progress viewer', role: 'viewer' }), 201).key;
  otherOrgKey = (await stack.api.createOrganization('progress-other')).keys.admin;
  serverUrl = await stack.api.app.listen({ host: '127.0.0.1', port: 0 });
  baseUrl = `${serverUrl}/api/v1`;
}, 240_000);

afterAll(async () => {
  await stack?.close();
  await link?.close();
  if (cluster && app) await removeRestoredNamespaces(cluster.api, [restoredNamespace()]);
  await cluster?.stop();
});

/** Where the restore below puts the app's namespace. */
const restoredNamespace = () => `${app.namespace}-restored`;

const isData = (v: VolumeProgress) => v.namespace === app.namespace && v.claim === app.dataClaim;

/** Successive figures of one copy: never fewer bytes than before, never more than expected, and more at the end than at the start. */
function expectGrowing(figures: Pick<PrintedFigures, 'bytesDone' | 'bytesExpected'>[]): void {
  expect(figures.length).toBeGreaterThan(1);
  figures.forEach((f, i) => {
    if (f.bytesExpected !== null) expect(f.bytesDone).toBeLessThanOrEqual(f.bytesExpected);
    if (i > 0) expect(f.bytesDone, `figures ${i}: ${JSON.stringify(figures)}`).toBeGreaterThanOrEqual(figures[i - 1]!.bytesDone);
  });
  expect(figures.at(-1)!.bytesDone).toBeGreaterThan(figures[0]!.bytesDone);
}

async function readJob(id: string, key?: string): Promise<Job> {
  if (!key) return expectStatus<Job>(await stack.client.get(`/jobs/${id}`), 200);
  const response = await fetch(`${baseUrl}/jobs/${id}`, { headers: { authorization: `Bearer ${key}` } });
  expect(response.status).toBe(200);
  return (await response.json()) as Job;
}

/** The workflow's history length, as Temporal counts it. */
async function historyLength(workflowId: string): Promise<number> {
  return (await stack.temporal.workflow.getHandle(workflowId).describe()).historyLength;
}

describe('a running backup, read while its volume is copied', () => {
  let started: JobView;
  let copying: Job;
  let grown: Job;
  let quietHistory: { before: number; after: number; samples: number };
  let streamed: ServerSentEvent[];
  let done: JobView;
  /** The same run followed by `haven job watch` on a terminal and into a pipe, and by the demo. */
  let watchedOnTerminal: CliRun;
  let watchedPlain: CliRun;
  let demoShown: string;
  let demoEnded: DemoJobView;

  beforeAll(async () => {
    started = await runNow(stack.client, definitionId);
    const stream = await openEventStream(`${baseUrl}/jobs/${started.id}/events`, viewerKey);
    expect(stream.status).toBe(200);
    const collected = (async () => {
      const events: ServerSentEvent[] = [];
      for await (const event of stream.events()) events.push(event);
      return events;
    })();

    // A client that goes away: its stream's timers stop. First, while only this test's streams are open.
    const leaving = await openEventStream(`${baseUrl}/jobs/${started.id}/events`, viewerKey);
    const firstEvent = await leaving.events().next();
    expect(firstEvent.value?.event).toBe('job');
    expect(openJobEventStreams()).toBe(2);
    leaving.close();
    await eventually(async () => openJobEventStreams() === 1, 'the abandoned stream to close', 30_000);

    const cliEnv = { HAVEN_SERVER: serverUrl, HAVEN_API_KEY: viewerKey };
    const onTerminal = runHavenOnTerminal(['job', 'watch', started.id], cliEnv);
    const plain = runHaven(['job', 'watch', started.id], cliEnv);
    demoShown = '';
    const demo = demoWatchJob(new HavenApi(serverUrl, viewerKey), started.id, 'backup', { isTTY: false, write: (text: string) => (demoShown += text) });

    copying = await eventually(async () => {
      const job = await readJob(started.id);
      const volume = job.progress?.volumes.find(isData);
      return job.progress?.step === 'COPYING_VOLUMES' && volume && volume.bytesDone > 0 ? job : undefined;
    }, 'the copy to report bytes done', 180_000);

    // Between two distinct samples of the copy's figures the history stays as long as it was: the figures
    // travel in heartbeats, not in signals or activities. A window is searched for, since the copy may end.
    quietHistory = await eventually(async () => {
      const before = await historyLength(started.workflowId);
      const first = await readJob(started.id);
      const firstBytes = first.progress?.volumes.find(isData)?.bytesDone;
      let samples = 1;
      const later = await eventually(async () => {
        samples++;
        const job = await readJob(started.id);
        const volume = job.progress?.volumes.find(isData);
        if (job.status !== 'RUNNING' || job.progress?.step !== 'COPYING_VOLUMES') return job;
        return volume && firstBytes !== undefined && volume.bytesDone > firstBytes ? job : undefined;
      }, 'a later sample of the copy', 60_000);
      const after = await historyLength(started.workflowId);
      const still = (await readJob(started.id)).progress?.volumes.find(isData)?.state === 'COPYING';
      if (!still || later.progress?.step !== 'COPYING_VOLUMES') return undefined;
      grown = later;
      return { before, after, samples };
    }, 'two samples of one copy', 180_000);

    done = await jobAfterRun(stack.client, stack.temporal, started);
    [watchedOnTerminal, watchedPlain, demoEnded] = await Promise.all([onTerminal, plain, demo]);
    streamed = await collected;
    backupJobId = done.id;
  }, 400_000);

  it('shows the copying step, bytes done growing between two reads, and the expected size', async () => {
    const volume = copying.progress!.volumes.find(isData)!;
    expect(volume.state).toBe('COPYING');
    expect(volume.bytesExpected).not.toBeNull();
    const later = grown.progress!.volumes.find(isData)!;
    expect(later.bytesDone).toBeGreaterThan(volume.bytesDone);
    const [copy] = (await recordedCopies(stack, done.id)).filter((c) => c.namespace === app.namespace && c.claim === app.dataClaim);
    // The walk of 40 files ends long before their reads: the expected figures are then the copy's own.
    expect(later.bytesExpected).toBe(copy!.copyBytes);
    expect(later.filesExpected).toBe(copy!.copyFiles);
    expect(later.bytesDone).toBeLessThanOrEqual(later.bytesExpected!);
    expect(grown.progress!.bytesDone).toBeGreaterThanOrEqual(later.bytesDone);
    expect(grown.progress!.description).toMatch(/Copying/);
  });

  it('haven job watch on a terminal redraws a bar of bytes done of expected whose share grows, a line per volume, then COMPLETED', () => {
    expect(watchedOnTerminal.code, watchedOnTerminal.stdout).toBe(0);
    // Redrawn in place: each frame moves back up over the last one and clears below it.
    expect(watchedOnTerminal.stdout).toContain('F\u001b[J');
    const lines = terminalLines(watchedOnTerminal.stdout);
    const bars = lines.filter((line) => /^ {2}\[[█░]+\] /.test(line)).map((line) => printedFigures(line)!);
    const measured = bars.filter((f) => f.percent !== null && f.bytesExpected !== null);
    expectGrowing(measured);
    expect(measured.at(-1)!.percent).toBeGreaterThan(measured[0]!.percent!);
    const volume = lines.filter((line) => line.startsWith(`    ${app.namespace}/${app.dataClaim}  `) && line.includes(' COPYING ')).map((line) => printedFigures(line)!);
    expectGrowing(volume.filter((f) => f.percent !== null));
    expect(lines.filter(Boolean).at(-1)).toMatch(/^COMPLETED after \d+(m\d+)?s: [\d.]+ MiB, \d+ files; /);
  });

  it('haven job watch into a pipe prints a line per change, the bytes done growing, then COMPLETED', () => {
    expect(watchedPlain.code, watchedPlain.stderr + watchedPlain.stdout).toBe(0);
    const lines = watchedPlain.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^RUNNING/);
    // Every line of the copy, to its end: once measured, its figures never fall back.
    const copying = lines.filter((line) => line.startsWith('RUNNING  COPYING_VOLUMES  ')).map((line) => printedFigures(line)!);
    expectGrowing(copying.slice(copying.findIndex((f) => f.bytesExpected !== null)));
    expect(lines.at(-1)).toMatch(/^COMPLETED after /);
  });

  it("shows the demo's follower the copy's figures growing, not only its status", () => {
    expect(demoEnded.status).toBe('COMPLETED');
    const figures = [...demoShown.matchAll(/^ {2}backup: Copying .* · ([\d.]+) (\w+)\/([\d.]+) (\w+) · \d+\/\d+ files/gm)].map(([, done, doneUnit, expected, expectedUnit]) => ({
      bytesDone: printedBytes(done!, doneUnit!),
      bytesExpected: printedBytes(expected!, expectedUnit!),
    }));
    expectGrowing(figures);
  });

  it('measures the rate and the time left from successive samples', () => {
    const later = grown.progress!.volumes.find(isData)!;
    expect(later.bytesPerSecond).toBeGreaterThan(0);
    expect(later.etaSeconds).toBeGreaterThan(0);
  });

  it('costs the workflow history nothing per sample', () => {
    expect(quietHistory.samples).toBeGreaterThan(1);
    expect(quietHistory.after).toBe(quietHistory.before);
  });

  it('streams the job to a viewer as Server-Sent Events, then a last job and end, and closes', () => {
    const jobs = streamed.filter((e) => e.event === 'job').map((e) => JSON.parse(e.data) as Job);
    expect(jobs[0]!.status).toBe('RUNNING');
    expect(jobs.some((job) => job.progress?.step === 'COPYING_VOLUMES')).toBe(true);
    expect(streamed.at(-2)?.event).toBe('job');
    expect(jobs.at(-1)!.status).toBe('COMPLETED');
    expect(jobs.at(-1)!.progress).toBeNull();
    expect(streamed.at(-1)?.event).toBe('end');
    expect(openJobEventStreams()).toBe(0);
  });

  it('after completion has no progress and the final figures', async () => {
    expect(done.status, `${done.message} ${JSON.stringify(done.errors)}`).toBe('COMPLETED');
    const job = await readJob(done.id, viewerKey);
    expect(job.progress).toBeNull();
    const copies = await recordedCopies(stack, done.id);
    // What the run stored: the resources and every new byte of the copies. The 40 bulk files are seeded
    // apart and incompressible, so all 20 MiB of them are new to this fresh repository; the app's own
    // large file repeats one MiB, which chunking stores once, so the total stays under the copies' sum.
    expect(copying.bytesTransferred).toBe(0);
    expect(job.bytesTransferred).toBeGreaterThanOrEqual(40 * 512 * 1024);
    expect(job.bytesTransferred).toBeLessThanOrEqual(copies.reduce((sum, c) => sum + c.copyBytes, 0) + 2 ** 20);
    const lastStreamed = JSON.parse(streamed.filter((e) => e.event === 'job').at(-1)!.data) as Job;
    expect(job.bytesTransferred).toBe(lastStreamed.bytesTransferred);
  });

  it("is another organization's 404, on the job and on its events", async () => {
    const read = await fetch(`${baseUrl}/jobs/${done.id}`, { headers: { authorization: `Bearer ${otherOrgKey}` } });
    expect(read.status).toBe(404);
    const stream = await openEventStream(`${baseUrl}/jobs/${done.id}/events`, otherOrgKey);
    expect(stream.status).toBe(404);
    stream.close();
    expect(openJobEventStreams()).toBe(0);
  });

  it('answers a job that has ended with its last state and end at once', async () => {
    const stream = await openEventStream(`${baseUrl}/jobs/${done.id}/events`, viewerKey);
    expect(stream.contentType).toMatch(/^text\/event-stream/);
    const events: ServerSentEvent[] = [];
    for await (const event of stream.events()) events.push(event);
    expect(events.map((e) => e.event)).toEqual(['job', 'end']);
    expect((JSON.parse(events[0]!.data) as Job).status).toBe('COMPLETED');
  });
});

/**
 * Bytes per second the restore reads the copy at: ~22 MiB in ~22 s, several of its mover's 5 s heartbeats.
 * One file at a time, so files (and their bytes) are done one after the other rather than all at the end.
 */
const RESTORE_LINK_BYTES_PER_SECOND = 1024 * 1024;

describe('a running restore, read while its volume is filled', () => {
  let filling: Job;
  let grown: Job;
  let ended: JobView;

  beforeAll(async () => {
    const points = expectStatus<{ items: { id: string; jobId: string }[] }>(await stack.client.get('/recovery-points'), 200).items;
    const recoveryPointId = points.find((p) => p.jobId === backupJobId)!.id;
    const body = { name: uniqueName('progress-restore'), recoveryPointId, targetClusterId: clusterId, persistentVolumes: { totalConcurrentFiles: 1 }, transforms: { namespaceMapping: { [app.namespace]: restoredNamespace() } } };
    const restoreId = expectStatus<{ id: string }>(await stack.client.post('/restores', body), 201).id;
    link.throttle(RESTORE_LINK_BYTES_PER_SECOND);
    const started = expectStatus<JobView>(await stack.client.post(`/restores/${restoreId}/actions/run`), 202);
    const fillOf = (job: Job) => (job.progress?.step === 'RESTORING_VOLUMES' ? job.progress.volumes.find(isData) : undefined);
    filling = await eventually(async () => {
      const job = await readJob(started.id);
      const volume = fillOf(job);
      return volume?.state === 'FILLING' && volume.bytesDone > 0 ? job : undefined;
    }, 'the fill to report bytes done', 180_000);
    const first = fillOf(filling)!.bytesDone;
    grown = await eventually(async () => {
      const job = await readJob(started.id);
      const volume = fillOf(job);
      // The fill ended before a second sample: returned, so the assertions say what was seen.
      if (volume?.state !== 'FILLING') return job;
      return volume.bytesDone > first ? job : undefined;
    }, 'a later sample of the fill', 120_000);
    ended = await jobAfterRun(stack.client, stack.temporal, started);
    link.throttle(null);
  }, 400_000);

  it("shows the RESTORING_VOLUMES step and the volume FILLING, its bytes done growing toward the copy's size", async () => {
    expect(ended.status, `${ended.message} ${JSON.stringify(ended.errors)}`).toBe('COMPLETED');
    const [copy] = (await recordedCopies(stack, backupJobId)).filter((c) => c.namespace === app.namespace && c.claim === app.dataClaim);
    const before = filling.progress!.volumes.find(isData)!;
    const later = grown.progress!.volumes.find(isData)!;
    expect(later.state).toBe('FILLING');
    expect(later.bytesDone).toBeGreaterThan(before.bytesDone);
    expect(later.bytesExpected).toBe(copy!.copyBytes);
    expect(later.bytesDone).toBeLessThanOrEqual(later.bytesExpected!);
    expect(grown.progress!.description).toMatch(/Restoring persistent volume data/);
    expect(later.bytesPerSecond).toBeGreaterThan(0);
  });
});
