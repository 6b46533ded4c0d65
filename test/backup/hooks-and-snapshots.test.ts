import { access, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecoveryPoint } from '../../services/api/resources/recovery-points/schema.js';
import { SNAPSHOT_LABELS } from '../../proto/agent/index.js';
import { progressQuery } from '../../workflows/backup-progress.js';
import { createBackupDefinition, createCluster, createHook, expectStatus } from '../api/helpers/fixtures.js';
import { authorized } from '../api/helpers/test-api.js';
import { startEmulatedCluster, type EmulatedCluster } from '../emulator/helpers/cluster.js';
import { volumeDigest } from '../fixtures/volume-digest.js';
import { startBackupStack, type BackupStack } from './helpers/backup-stack.js';
import { DATA_MOUNT, deployEmulatedApp, dropKeptSnapshots, listSnapshots, type EmulatedApp } from './helpers/emulated-app.js';
import { jobAfterRun, runNow, untilClusterActive, type JobView } from './helpers/runs.js';
import { createStackS3Target } from './helpers/stack-target.js';

const PRE_MARKER = 'pre-hook-marker';
const POST_MARKER = 'post-hook-marker';

let stack: BackupStack;
let cluster: EmulatedCluster;
let app: EmulatedApp;
let clusterId: string;
let storageTargetId: string;

beforeAll(async () => {
  cluster = await startEmulatedCluster();
  app = await deployEmulatedApp(cluster, { unsnapshottableClaim: true });
  stack = await startBackupStack();
  clusterId = (await createCluster(stack.client)).id;
  storageTargetId = await createStackS3Target(stack, 'hooks-snapshots');
  // The emulator has no kubelet behind the API server's exec: hooks run through its executor.
  await stack.startAgent(clusterId, { executor: cluster.node.executor });
  await untilClusterActive(stack.client, clusterId);
});

afterAll(async () => {
  await stack?.close();
  if (cluster && app) await dropKeptSnapshots(cluster, app.namespace);
  await cluster?.stop();
});

async function snapshotOnlyDefinition(hooks: { preBackup?: string[]; postBackup?: string[] }): Promise<string> {
  return (
    await createBackupDefinition(stack.client, clusterId, {
      selection: { scope: 'SELECTED_NAMESPACES', namespaces: [app.namespace] },
      persistentVolumes: { mode: 'SNAPSHOT_ONLY' },
      advanced: { destinationStorageTargetId: storageTargetId },
      hooks,
    })
  ).id;
}

describe('a snapshot-only backup with a pre and a post hook', () => {
  let job: JobView;
  let point: RecoveryPoint | undefined;
  let liveDigestAtRun: string;

  beforeAll(async () => {
    // Paths are separate arguments so the emulator maps them into the volume (it does not parse scripts).
    const pre = await createHook(stack.client, { type: 'PRE_BACKUP', command: ['touch', join(DATA_MOUNT, PRE_MARKER)], podSelector: 'app:db' });
    const post = await createHook(stack.client, { type: 'POST_BACKUP', command: ['touch', join(DATA_MOUNT, POST_MARKER)], podSelector: 'app:db' });
    const definitionId = await snapshotOnlyDefinition({ preBackup: [pre.id], postBackup: [post.id] });
    job = await jobAfterRun(stack.client, stack.temporal, await runNow(stack.client, definitionId));
    const page = expectStatus<{ items: RecoveryPoint[] }>(await stack.client.get('/recovery-points'), 200);
    point = page.items.find((item) => item.jobId === job.id);
    liveDigestAtRun = await volumeDigest(app.dataPath);
  });

  it('completes, with every hook\'s outcome in the job and the claim that cannot be snapshotted reported', () => {
    expect(job.status, job.message).toBe('COMPLETED');
    expect(job.message).toMatch(/^Backed up \d+ resources from 1 namespaces; 1 of 1 PVs snapshotted; 1 PVs cannot be snapshotted and were not backed up; hooks: /);
    expect(job.message).toMatch(/PRE_BACKUP "hook-\d+" SUCCEEDED \(1 pod\); POST_BACKUP "hook-\d+" SUCCEEDED \(1 pod\)$/);
    expect(job.errors).toEqual([
      {
        message: `PV of claim ${app.namespace}/files not backed up: no VolumeSnapshotClass for CSI driver files.csi.haven.test: it cannot be snapshotted`,
        resource: `persistentvolumeclaims/${app.namespace}/files`,
      },
    ]);
  });

  it('records a SNAPSHOT recovery point listing the PV with its snapshot', () => {
    expect(point?.type).toBe('SNAPSHOT');
    expect(point?.contents.persistentVolumes).toEqual([
      expect.objectContaining({ namespace: app.namespace, claim: 'data', storageClass: 'csi-hostpath', sizeBytes: 64 * 2 ** 20, method: 'SNAPSHOT' }),
    ]);
    const [pv] = point!.contents.persistentVolumes;
    expect(pv?.snapshotName).toBe(`haven-${job.id}-data`);
    expect(pv?.snapshotContentName).toMatch(/^snapcontent-/);
    expect(pv?.snapshotHandle).toMatch(/^snapshot-/);
  });

  it('keeps the VolumeSnapshot, ready to use and labelled with the job', async () => {
    const snapshots = await listSnapshots(cluster, app.namespace);
    expect(snapshots.map((s) => s.metadata.name)).toEqual([`haven-${job.id}-data`]);
    expect(snapshots[0]?.status?.readyToUse).toBe(true);
    expect((snapshots[0]?.metadata as { labels?: Record<string, string> }).labels?.[SNAPSHOT_LABELS.job]).toBe(job.id);
  });

  it('holds the volume\'s data as the pre-hook left it: its marker, not the post-hook\'s', async () => {
    const handle = point!.contents.persistentVolumes[0]!.snapshotHandle!;
    const snapshotPath = cluster.node.store.snapshotPath(handle);
    await access(join(snapshotPath, PRE_MARKER));
    await expect(access(join(snapshotPath, POST_MARKER))).rejects.toThrow();
    // The post-hook ran after the snapshot was cut: the live volume has its marker. Without it, the
    // volume is exactly what the snapshot holds.
    await access(join(app.dataPath, POST_MARKER));
    expect(liveDigestAtRun).not.toBe(await volumeDigest(snapshotPath));
    await rm(join(app.dataPath, POST_MARKER));
    expect(await volumeDigest(snapshotPath)).toBe(await volumeDigest(app.dataPath));
  });

  it('answers the progress query with the hooks and the volume', async () => {
    const progress = await stack.temporal.workflow.getHandle(job.workflowId).query(progressQuery);
    expect(progress.step).toBe('COMPLETED');
    expect(progress.hooks?.map((h) => [h.type, h.verdict])).toEqual([
      ['PRE_BACKUP', 'SUCCEEDED'],
      ['POST_BACKUP', 'SUCCEEDED'],
    ]);
    expect(progress.volumes).toEqual([{ namespace: app.namespace, claim: 'data', state: 'READY' }]);
  });
});

describe('a pre-backup hook that fails with onError FAIL', () => {
  it('fails the job naming the pod, container and exit code (its stderr apart), takes no snapshot and records no recovery point', async () => {
    const failing = await createHook(stack.client, { type: 'PRE_BACKUP', command: ['sh', '-c', 'echo cannot freeze >&2; exit 3'], podSelector: 'app:db', onError: 'FAIL' });
    const definitionId = await snapshotOnlyDefinition({ preBackup: [failing.id] });
    const before = (await listSnapshots(cluster, app.namespace)).length;
    const job = await jobAfterRun(stack.client, stack.temporal, await runNow(stack.client, definitionId));
    expect(job.status).toBe('FAILED');
    expect(job.message).toBe(
      `Running pre-backup hooks failed: PRE_BACKUP hook "${failing.name}" in pod ${app.namespace}/db container app exited with code 3`,
    );
    expect(job.errors).toEqual([{ message: job.message, output: 'cannot freeze' }]);
    expect((await listSnapshots(cluster, app.namespace)).length).toBe(before);
    const points = expectStatus<{ items: { jobId: string }[] }>(await stack.client.get('/recovery-points'), 200);
    expect(points.items.filter((p) => p.jobId === job.id)).toEqual([]);
    // The hook ran once: HOOK_FAILED is not retried.
    const history = await stack.temporal.workflow.getHandle(job.workflowId).fetchHistory();
    const failure = (history.events ?? []).find((e) => e.activityTaskFailedEventAttributes)?.activityTaskFailedEventAttributes?.failure;
    expect(failure?.applicationFailureInfo).toMatchObject({ type: 'HOOK_FAILED', nonRetryable: true });
  });
});

describe('a hook naming a namespace the run does not select', () => {
  const MARKER = 'hook-outside-run-marker';
  let elsewhere: EmulatedApp;
  let job: JobView;
  let hookName: string;

  beforeAll(async () => {
    // The same app (pod db, label app=db) in a namespace no definition of this test selects.
    elsewhere = await deployEmulatedApp(cluster, { label: 'elsewhere' });
    const hook = await createHook(stack.client, {
      type: 'PRE_BACKUP',
      command: ['touch', join(DATA_MOUNT, MARKER)],
      podSelector: 'app:db',
      namespaces: [app.namespace, elsewhere.namespace],
    });
    hookName = hook.name;
    job = await jobAfterRun(stack.client, stack.temporal, await runNow(stack.client, await snapshotOnlyDefinition({ preBackup: [hook.id] })));
  });
  afterAll(async () => {
    await rm(join(app.dataPath, MARKER), { force: true });
    if (elsewhere) await dropKeptSnapshots(cluster, elsewhere.namespace);
  });

  it('runs it in the selected namespace only, and says which namespace it left out', async () => {
    // The pod outside the run matches the hook's selector and namespaces: without the agent's check it ran there too.
    await expect(access(join(elsewhere.dataPath, MARKER))).rejects.toThrow();
    await access(join(app.dataPath, MARKER));
    expect(job.status, job.message).toBe('COMPLETED');
    expect(job.message).toContain(`PRE_BACKUP "${hookName}" SUCCEEDED (1 pod), not run in ${elsewhere.namespace}: not selected by the run`);
  });
});

describe('hooks that print secrets to stderr', () => {
  // Shapes a pattern list catches, and shapes it cannot (a flag, a word, an env name, a command's argument).
  const REDACTABLE = ['Hunter2-Sup3r-S3cret', 'eyJhbGciOiJIUzI1NiJ9', 'AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'Pa55word-in-url'];
  const STDERR = [
    'password=Hunter2-Sup3r-S3cret',
    'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ2aWV3ZXIifQ.c2lnbmF0dXJlLXNlY3JldA',
    'aws_access_key_id AKIAIOSFODNN7EXAMPLE',
    'aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    'db url postgres://app:Pa55word-in-url@db:5432/app',
    'mysql -uapp -phunter2',
    'password hunter2',
    'DB_PASS hunter2',
    'AUTH s3cr3tpass',
  ];
  // Every word of the output a reader could recognize: none may reach a viewer.
  const STDERR_WORDS = [...new Set([...STDERR.join(' ').split(/[\s=:/@.]+/), 'frame', 'stack trace'])].filter((word) => word.length >= 4);
  const script = (exitCode: number) =>
    [...STDERR.map((line) => `echo '${line}' >&2`), 'i=0; while [ $i -lt 40 ]; do echo "at frame $i of a long stack trace" >&2; i=$((i+1)); done', `exit ${exitCode}`].join('; ');
  let failed: { job: JobView; definitionId: string; hook: string };
  let continued: { job: JobView; definitionId: string; hook: string };
  let viewer: ReturnType<typeof authorized>;
  let operator: ReturnType<typeof authorized>;

  async function runWithHook(onError: 'FAIL' | 'CONTINUE', exitCode: number) {
    const hook = await createHook(stack.client, { type: 'PRE_BACKUP', command: ['sh', '-c', script(exitCode)], podSelector: 'app:db', onError });
    const definitionId = await snapshotOnlyDefinition({ preBackup: [hook.id] });
    return { job: await jobAfterRun(stack.client, stack.temporal, await runNow(stack.client, definitionId)), definitionId, hook: hook.name };
  }
  const keyWith = async (role: string) => authorized(stack.api.app, expectStatus<{ key: string }>(await stack.client.post('/api-keys', { name: `a ${role}`, role }), 201).key);
  const jobsAs = async (client: ReturnType<typeof authorized>, run: { job: JobView; definitionId: string }) => ({
    read: expectStatus<JobView>(await client.get(`/jobs/${run.job.id}`), 200),
    listed: expectStatus<{ items: JobView[] }>(await client.get(`/jobs?definitionId=${run.definitionId}`), 200).items,
  });

  beforeAll(async () => {
    failed = await runWithHook('FAIL', 3);
    continued = await runWithHook('CONTINUE', 4);
    [viewer, operator] = [await keyWith('viewer'), await keyWith('operator')];
  });

  it('shows a viewer not one word of the output, in the message or the errors of a failed or a partial job', async () => {
    const where = (hook: string) => `PRE_BACKUP hook "${hook}" in pod ${app.namespace}/db container app exited with code`;
    const onFail = await jobsAs(viewer, failed);
    expect(onFail.read.status).toBe('FAILED');
    const message = `Running pre-backup hooks failed: ${where(failed.hook)} 3`;
    expect(onFail.read).toMatchObject({ message, errors: [{ message }] });
    const onContinue = await jobsAs(viewer, continued);
    expect(onContinue.read.status).toBe('PARTIAL');
    // Beside the PV the emulated app's claim without a snapshot class leaves out.
    expect(onContinue.read.errors).toContainEqual({ message: `${where(continued.hook)} 4; the run went on (onError CONTINUE)`, resource: `hook/${continued.hook}` });
    for (const body of [onFail, onContinue].map((seen) => JSON.stringify(seen))) {
      expect(body).not.toContain('"output"');
      for (const word of STDERR_WORDS) expect(body, word).not.toContain(word);
    }
  });

  it('shows an operator a short, redacted excerpt apart from the message, on the job and in the list', async () => {
    for (const run of [failed, continued]) {
      const { read, listed } = await jobsAs(operator, run);
      const error = read.errors.find((e) => e.message.includes(`hook "${run.hook}"`));
      expect(listed.map((job) => job.errors)).toEqual([read.errors]);
      expect(error?.message).not.toContain('hunter2');
      expect(error?.output).toMatch(/^password=\[REDACTED\] Authorization: \[REDACTED\] aws_access_key_id \[REDACTED\] aws_secret_access_key=\[REDACTED\] db url postgres:\/\/\[REDACTED\]@db:5432\/app mysql/);
      expect(error?.output?.length).toBeLessThanOrEqual(201);
      expect(error?.output).not.toContain('at frame 39');
      for (const secret of REDACTABLE) expect(JSON.stringify(read)).not.toContain(secret);
    }
  });
});
