import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubernetesPodExecutor } from '../../activities/cluster/exec/kubernetes-pod-executor.js';
import { PodExecError } from '../../activities/cluster/exec/pod-executor.js';
import { startEmulatedCluster, type EmulatedCluster } from './helpers/cluster.js';
import { aClaim, boundClaim, podInPhase } from './helpers/objects.js';

describe('exec into pods', () => {
  let cluster: EmulatedCluster;
  let namespace: string;
  beforeAll(async () => {
    cluster = await startEmulatedCluster();
    namespace = await cluster.namespace();
    await cluster.api.core.createNamespacedPersistentVolumeClaim({ namespace, body: aClaim('data') });
    await boundClaim(cluster.api, namespace, 'data');
    await cluster.api.core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: 'db' },
        spec: {
          containers: [{ name: 'postgres', image: 'postgres:16', env: [{ name: 'PGDATA', value: '/var/lib/postgresql/data' }], volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql' }] }],
          volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
        },
      },
    });
    await podInPhase(cluster.api, namespace, 'db', ['Running']);
  });
  afterAll(async () => cluster?.stop());

  it('runs a hook command in the container context: env, mounts, stdout, stderr and exit code', async () => {
    const result = await cluster.node.executor.exec({
      namespace,
      pod: 'db',
      container: 'postgres',
      command: ['/bin/sh', '-c', 'mkdir -p $PGDATA && echo frozen > $PGDATA/hook.txt && cat $PGDATA/hook.txt && echo warn >&2 && exit 4'],
    });
    expect(result).toEqual({ stdout: 'frozen\n', stderr: 'warn\n', exitCode: 4 });
  });

  it('reports a missing container and an aborted command as PodExecErrors', async () => {
    await expect(cluster.node.executor.exec({ namespace, pod: 'db', container: 'nope', command: ['true'] })).rejects.toMatchObject({ code: 'CONTAINER_NOT_FOUND' });
    const controller = new AbortController();
    const pending = cluster.node.executor.exec({ namespace, pod: 'db', container: 'postgres', command: ['sleep', '30'], signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(PodExecError);
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('production executor: the API server rejects exec on an emulated node, which has no kubelet to dial', async () => {
    const executor = new KubernetesPodExecutor(cluster.config);
    const error = await executor.exec({ namespace, pod: 'db', container: 'postgres', command: ['true'] }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(PodExecError);
    expect(error).toMatchObject({ code: 'EXEC_REJECTED', httpStatus: 500 });
    // Asked for v4 only, the API server dials the kubelet before the upgrade and refuses with a Status saying why.
    expect((error as Error).message).toBe(
      `exec into ${namespace}/db container postgres: the API server refused the request (HTTP 500): error dialing backend: dial tcp 127.0.0.1:10250: connect: connection refused`,
    );
  });

  it('production executor: exec into a pod that is not scheduled is a 400 from the API server', async () => {
    await cluster.api.core.createNamespacedPod({
      namespace,
      body: { metadata: { name: 'unschedulable' }, spec: { nodeSelector: { 'no-such-label': 'x' }, containers: [{ name: 'c', image: 'busybox' }] } },
    });
    const executor = new KubernetesPodExecutor(cluster.config);
    await expect(executor.exec({ namespace, pod: 'unschedulable', container: 'c', command: ['true'] })).rejects.toMatchObject({ code: 'CONTAINER_NOT_RUNNING', httpStatus: 400 });
    await expect(executor.exec({ namespace, pod: 'absent', container: 'c', command: ['true'] })).rejects.toMatchObject({ code: 'POD_NOT_FOUND', httpStatus: 404 });
  });
});
