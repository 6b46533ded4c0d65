import { PodExecError, type ExecRequest, type ExecResult, type PodExecutor } from '../../../activities/cluster/exec/pod-executor.js';
import { signalGroup, spawnInContainer } from './container-context.js';
import type { Kubelet } from './kubelet.js';

/**
 * Runs exec commands as local processes in the container's emulated context (working directory,
 * environment, mount map), for any image: what a kubelet would do through the container runtime.
 */
export class EmulatedPodExecutor implements PodExecutor {
  constructor(private readonly kubelet: Kubelet) {}

  async exec(request: ExecRequest): Promise<ExecResult> {
    const target = `${request.namespace}/${request.pod} container ${request.container}`;
    const found = this.kubelet.containerOf(request.namespace, request.pod, request.container);
    if (!found) throw new PodExecError('CONTAINER_NOT_FOUND', `exec into ${target}: no such running pod or container on the emulated nodes`);
    const { container } = found;
    if (container.state !== 'running' || !container.context) throw new PodExecError('CONTAINER_NOT_RUNNING', `exec into ${target}: container is ${container.state}`);
    if (request.signal?.aborted) throw new PodExecError('ABORTED', `exec into ${target} aborted`);

    const child = spawnInContainer(request.command, container.context, container.child);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    const onAbort = () => signalGroup(child, 'SIGKILL');
    request.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const exitCode = await new Promise<number>((resolve) => {
        // A runtime reports an exec it cannot start as exit code 126 with the reason on stderr.
        child.on('error', (err) => {
          stderr.push(Buffer.from(`exec failed: ${err.message}\n`));
          resolve(126);
        });
        child.on('close', (code, signal) => resolve(code ?? 128 + (signal === 'SIGKILL' ? 9 : 15)));
      });
      if (request.signal?.aborted) throw new PodExecError('ABORTED', `exec into ${target} aborted`);
      return { stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString(), exitCode };
    } finally {
      request.signal?.removeEventListener('abort', onAbort);
    }
  }
}
