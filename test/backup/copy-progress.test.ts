import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openJobEventStreams } from '../../services/api/resources/jobs/events-route.js';
import type { Job, VolumeProgress } from '../../services/api/resources/jobs/schema.js';
import { createBackupDefinition, createCluster, expectStatus } from '../api/helpers/fixtures.js';
import { openEventStream, type ServerSentEvent } from '../api/helpers/event-stream.js';
import { eventually, startEmulatedCluster, type EmulatedCluster } from '../emulator/helpers/cluster.js';
import { seededBytes } from '../fixtures/volume-data.js';
import { createStackS3Target } from './helpers/stack-target.js';
import { startBackupStack, type BackupStack } from './helpers/backup-stack.js';
import { deployEmulatedApp, type EmulatedApp } from './helpers/emulated-app.js';
import { recordedCopies } from './helpers/run-repository.js';
import { jobAfterRun, runNow, untilClusterActive, type JobView } from './helpers/runs.js';

let stack: BackupStack;
let cluster: EmulatedCluster;
let app: EmulatedApp;
let baseUrl: string;
let viewerKey: string;
let otherOrgKey: string;
let definitionId: string;

beforeAll(async () => {
  cluster = await startEmulatedCluster();
  app = await deployEmulatedApp(cluster, { label: 'progress' });
  // 40 files of 512 KiB read at 1 MB/s (the definition's per-stream cap): a copy of ~20 s, several heartbeats long.
  await mkdir(join(app.dataPath, 'bulk'));
  for (let i = 0; i < 40; i++) await writeFile(join(app.dataPath, 'bulk', `part-${i}.bin`), seededBytes(`progress-${i}`, 512 * 1024));
  stack = await startBackupStack();
  const clusterId = (await createCluster(stack.client)).id;
  const storageTargetId = await createStackS3Target(stack, 'copy-progress');
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
  baseUrl = `${await stack.api.app.listen({ host: '127.0.0.1', port: 0 })}/api/v1`;
}, 240_000);

afterAll(async () => {
  await stack?.close();
  await cluster?.stop();
});

const isData = (v: VolumeProgress) => v.namespace === app.namespace && v.claim === app.dataClaim;

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

  beforeAll(async () => {
    started = await runNow(stack.client, definitionId);
    const stream = await openEventStream(`${baseUrl}/jobs/${started.id}/events`, viewerKey);
    expect(stream.status).toBe(200);
    const collected = (async () => {
      const events: ServerSentEvent[] = [];
      for await (const event of stream.events()) events.push(event);
      return events;
    })();

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

    // A client that goes away: its stream's timers stop.
    const leaving = await openEventStream(`${baseUrl}/jobs/${started.id}/events`, viewerKey);
    const firstEvent = await leaving.events().next();
    expect(firstEvent.value?.event).toBe('job');
    expect(openJobEventStreams()).toBe(2);
    leaving.close();
    await eventually(async () => openJobEventStreams() === 1, 'the abandoned stream to close', 30_000);

    done = await jobAfterRun(stack.client, stack.temporal, started);
    streamed = await collected;
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
    // What the run stored: the resources and every new byte of the copies (a fresh repository: all of them).
    expect(copying.bytesTransferred).toBe(0);
    expect(job.bytesTransferred).toBeGreaterThanOrEqual(copies.reduce((sum, c) => sum + c.copyBytes, 0));
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
