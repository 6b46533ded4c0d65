import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PodExecError, type PodExecutor } from '../../activities/cluster/exec/pod-executor.js';
import { HookFailedError, InvalidHookError } from '../../activities/cluster/hooks/errors.js';
import type { HookDefinition } from '../../activities/cluster/hooks/hook-definition.js';
import { KubernetesHookPodLister } from '../../activities/cluster/hooks/pod-lister.js';
import { runHook } from '../../activities/cluster/hooks/run-hook.js';
import { KubeRestClient } from '../../lib/kube/rest-client.js';
import { startEmulatedCluster, type EmulatedCluster } from '../emulator/helpers/cluster.js';
import { podInPhase } from '../emulator/helpers/objects.js';

/** Every container echoes its own ROLE, so stdout proves which pod and container ran the command. */
function aPod(name: string, labels: Record<string, string>, containers: string[], extra: Partial<V1Pod['spec']> = {}): V1Pod {
  return {
    metadata: { name, labels },
    spec: { ...extra, containers: containers.map((c) => ({ name: c, image: 'busybox:1.36', env: [{ name: 'ROLE', value: `${name}/${c}` }] })) },
  };
}

function aHook(overrides: Partial<HookDefinition> = {}): HookDefinition {
  return {
    name: 'freeze',
    type: 'PRE_BACKUP',
    command: ['/bin/sh', '-c', 'echo "$ROLE"'],
    podSelector: 'app:db',
    namespaces: [],
    container: null,
    timeoutSeconds: 30,
    onError: 'FAIL',
    ...overrides,
  };
}

/** Fails in db-0 only, so FAIL and CONTINUE differ in what happens to db-1. */
const FAILS_IN_DB_0 = ['/bin/sh', '-c', 'case "$ROLE" in db-0/*) echo "cannot freeze $ROLE" >&2; exit 3;; esac; echo "$ROLE"'];

describe('app hook runner on emulated pods', () => {
  let cluster: EmulatedCluster;
  let apps: string;
  let other: string;
  let run: (hook: HookDefinition, runNamespaces?: string[]) => ReturnType<typeof runHook>;

  beforeAll(async () => {
    cluster = await startEmulatedCluster();
    apps = await cluster.namespace('apps');
    other = await cluster.namespace('other');
    const pods: Array<[string, V1Pod]> = [
      [apps, aPod('db-0', { app: 'db', tier: 'data' }, ['postgres', 'sidecar'])],
      [apps, aPod('db-1', { app: 'db', tier: 'data' }, ['postgres', 'sidecar'])],
      [apps, aPod('web', { app: 'web', tier: 'frontend' }, ['nginx'])],
      [other, aPod('db-0', { app: 'db', tier: 'data' }, ['postgres'])],
    ];
    for (const [namespace, body] of pods) await cluster.api.core.createNamespacedPod({ namespace, body });
    // Matches app:db but never runs: Pending pods have nothing to exec into.
    await cluster.api.core.createNamespacedPod({ namespace: apps, body: aPod('db-pending', { app: 'db', tier: 'data' }, ['postgres'], { nodeSelector: { 'no-such-node': 'x' } }) });
    for (const [namespace, body] of pods) await podInPhase(cluster.api, namespace, body.metadata?.name ?? '', ['Running']);

    const lister = new KubernetesHookPodLister(new KubeRestClient(cluster.config));
    run = (hook, runNamespaces = [apps]) => runHook({ hook, runNamespaces, pods: lister, executor: cluster.node.executor });
  });
  afterAll(async () => cluster?.stop());

  it('runs in the first container of every Running pod the selector matches, in namespace then name order', async () => {
    const report = await run(aHook({ podSelector: 'app:db,web tier:data,frontend' }));
    expect(report).toMatchObject({ hook: 'freeze', type: 'PRE_BACKUP', onError: 'FAIL', namespaces: [apps], verdict: 'SUCCEEDED' });
    expect(report.outcomes.map(({ pod, container, status, exitCode, stdoutTail, stderrTail, error }) => ({ pod, container, status, exitCode, stdoutTail, stderrTail, error }))).toEqual([
      { pod: 'db-0', container: 'postgres', status: 'SUCCEEDED', exitCode: 0, stdoutTail: 'db-0/postgres\n', stderrTail: '', error: undefined },
      { pod: 'db-1', container: 'postgres', status: 'SUCCEEDED', exitCode: 0, stdoutTail: 'db-1/postgres\n', stderrTail: '', error: undefined },
      { pod: 'web', container: 'nginx', status: 'SUCCEEDED', exitCode: 0, stdoutTail: 'web/nginx\n', stderrTail: '', error: undefined },
    ]);
    for (const outcome of report.outcomes) expect(outcome.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('ANDs terms and ORs values: app:db tier:frontend matches nothing', async () => {
    const report = await run(aHook({ podSelector: 'app:db tier:frontend' }));
    expect(report).toMatchObject({ verdict: 'NO_MATCHING_PODS', outcomes: [] });
  });

  it('reports, and does not fail, a hook that matches no pod even with onError FAIL', async () => {
    const report = await run(aHook({ podSelector: 'app:absent', onError: 'FAIL' }), [apps, other]);
    expect(report).toEqual({ hook: 'freeze', type: 'PRE_BACKUP', onError: 'FAIL', namespaces: [apps, other].sort(), verdict: 'NO_MATCHING_PODS', outcomes: [] });
  });

  it('looks in the run\'s namespaces when the hook lists none, and only in those of its own the run selects when it does', async () => {
    const everywhere = await run(aHook({ type: 'POST_RESTORE' }), [other, apps]);
    expect(everywhere.outcomes.map((o) => `${o.namespace}/${o.pod}`)).toEqual(
      [apps, other].sort().flatMap((ns) => (ns === apps ? [`${apps}/db-0`, `${apps}/db-1`] : [`${other}/db-0`])),
    );
    const own = await run(aHook({ namespaces: [other] }), [apps, other]);
    expect(own.outcomes.map((o) => `${o.namespace}/${o.pod}`)).toEqual([`${other}/db-0`]);
  });

  it('never runs in a namespace the run did not select, whatever the hook lists: it says which it left out', async () => {
    const report = await run(aHook({ namespaces: [other] }), [apps]);
    expect(report).toEqual({ hook: 'freeze', type: 'PRE_BACKUP', onError: 'FAIL', namespaces: [], notSelected: [other], verdict: 'NO_MATCHING_PODS', outcomes: [] });
    const narrowed = await run(aHook({ namespaces: [apps, other] }), [apps]);
    expect(narrowed).toMatchObject({ namespaces: [apps], notSelected: [other], verdict: 'SUCCEEDED' });
    expect(narrowed.outcomes.map((o) => `${o.namespace}/${o.pod}`)).toEqual([`${apps}/db-0`, `${apps}/db-1`]);
  });

  it('never looks in a protected namespace, even one the run\'s input names', async () => {
    const report = await run(aHook({ namespaces: ['kube-system', apps] }), [apps, 'kube-system']);
    expect(report).toMatchObject({ namespaces: [apps], notSelected: ['kube-system'] });
    const everywhere = await run(aHook(), [apps, 'kube-system', 'haven-system']);
    expect(everywhere.namespaces).toEqual([apps]);
  });

  it('runs in the named container', async () => {
    const report = await run(aHook({ container: 'sidecar' }));
    expect(report.outcomes.map((o) => [o.pod, o.container, o.stdoutTail])).toEqual([
      ['db-0', 'sidecar', 'db-0/sidecar\n'],
      ['db-1', 'sidecar', 'db-1/sidecar\n'],
    ]);
  });

  it('fails a pod whose spec lacks the named container without exec-ing', async () => {
    const report = await run(aHook({ podSelector: 'app:web', container: 'sidecar', onError: 'CONTINUE' }));
    expect(report.verdict).toBe('FAILED_CONTINUED');
    expect(report.outcomes).toMatchObject([
      { pod: 'web', container: 'sidecar', status: 'FAILED', exitCode: null, error: { code: 'CONTAINER_NOT_IN_POD', message: `pod ${apps}/web has no container "sidecar"` } },
    ]);
  });

  it('onError FAIL: stops at the first non-zero exit with a HookFailedError naming pod, container and exit code, its stderr kept apart', async () => {
    const error = await run(aHook({ command: FAILS_IN_DB_0 })).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(HookFailedError);
    const failed = error as HookFailedError;
    expect(failed.message).toBe(`PRE_BACKUP hook "freeze" in pod ${apps}/db-0 container postgres exited with code 3`);
    expect(failed).toMatchObject({ code: 'HOOK_FAILED', pod: `${apps}/db-0`, container: 'postgres', exitCode: 3, stderrTail: 'cannot freeze db-0/postgres\n' });
    expect(failed.report.verdict).toBe('FAILED');
    // db-1 is never frozen once db-0 could not be.
    expect(failed.report.outcomes.map((o) => [o.pod, o.status, o.exitCode])).toEqual([
      ['db-0', 'FAILED', 3],
      ['db-1', 'SKIPPED', null],
    ]);
  });

  it('onError CONTINUE: runs every pod and returns FAILED_CONTINUED', async () => {
    const report = await run(aHook({ type: 'POST_BACKUP', command: FAILS_IN_DB_0, onError: 'CONTINUE' }));
    expect(report.verdict).toBe('FAILED_CONTINUED');
    expect(report.outcomes.map((o) => [o.pod, o.status, o.exitCode, o.stdoutTail, o.stderrTail])).toEqual([
      ['db-0', 'FAILED', 3, '', 'cannot freeze db-0/postgres\n'],
      ['db-1', 'SUCCEEDED', 0, 'db-1/postgres\n', ''],
    ]);
  });

  it('aborts a command that outlives timeoutSeconds and reports TIMED_OUT', async () => {
    const hook = aHook({ namespaces: [other], command: ['/bin/sh', '-c', 'exec sleep 60'], timeoutSeconds: 1 });
    const report = await run({ ...hook, onError: 'CONTINUE' }, [other]);
    expect(report.verdict).toBe('FAILED_CONTINUED');
    expect(report.outcomes).toMatchObject([
      { pod: 'db-0', container: 'postgres', status: 'FAILED', exitCode: null, error: { code: 'TIMED_OUT', message: 'timed out after 1s; the command was aborted' } },
    ]);
    await expect(run(hook, [other])).rejects.toThrow(`PRE_BACKUP hook "freeze" in pod ${other}/db-0 container postgres failed: timed out after 1s; the command was aborted`);
  });

  it('cancellation of the run is not a hook outcome: it rejects with the executor\'s ABORTED error', async () => {
    const controller = new AbortController();
    // Cancels once the command is under way, so the abort reaches a running exec.
    const executor: PodExecutor = {
      exec: (request) => {
        const running = cluster.node.executor.exec(request);
        setImmediate(() => controller.abort());
        return running;
      },
    };
    const lister = new KubernetesHookPodLister(new KubeRestClient(cluster.config));
    const hook = aHook({ namespaces: [other], command: ['/bin/sh', '-c', 'exec sleep 60'] });
    const pending = runHook({ hook, runNamespaces: [other], pods: lister, executor, signal: controller.signal });
    await expect(pending).rejects.toBeInstanceOf(PodExecError);
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('rejects a selector that does not parse or is empty, before listing any pod', async () => {
    await expect(run(aHook({ podSelector: 'app' }))).rejects.toThrow(new InvalidHookError('hook "freeze": pod selector "app": column 1: "app" is not key:value (missing ":")'));
    await expect(run(aHook({ podSelector: '   ' }))).rejects.toBeInstanceOf(InvalidHookError);
  });
});
