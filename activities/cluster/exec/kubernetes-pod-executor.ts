import { Writable } from 'node:stream';
import { Exec, type KubeConfig, type V1Status } from '@kubernetes/client-node';
import { PodExecError, type ExecRequest, type ExecResult, type PodExecutor } from './pod-executor.js';

/**
 * Runs commands through the Kubernetes exec API (a WebSocket to pods/exec, proxied by the API server
 * to the node's kubelet). The exit code comes from the status channel: Success, or Failure with
 * reason NonZeroExitCode and the code in details.causes.
 */
export class KubernetesPodExecutor implements PodExecutor {
  private readonly client: Exec;

  constructor(config: KubeConfig) {
    this.client = new Exec(config);
  }

  async exec(request: ExecRequest): Promise<ExecResult> {
    if (request.signal?.aborted) throw new PodExecError('ABORTED', 'exec aborted before it started');
    const stdout = collector();
    const stderr = collector();
    let status: V1Status | undefined;
    let socket: Awaited<ReturnType<Exec['exec']>>;
    try {
      socket = await this.client.exec(request.namespace, request.pod, request.container, [...request.command], stdout.stream, stderr.stream, null, false, (s) => {
        status = s;
      });
    } catch (err) {
      throw rejected(request, err);
    }
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        socket.close();
        reject(new PodExecError('ABORTED', `exec in ${request.namespace}/${request.pod} aborted`));
      };
      request.signal?.addEventListener('abort', onAbort, { once: true });
      socket.on('close', () => {
        request.signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      socket.on('error', (err: Error) => reject(new PodExecError('STREAM_FAILED', `exec stream failed: ${err.message}`)));
    });
    if (!status) throw new PodExecError('STREAM_FAILED', `exec in ${request.namespace}/${request.pod} ended without an exit status`);
    return { stdout: stdout.text(), stderr: stderr.text(), exitCode: exitCodeOf(status) };
  }
}

/** Exit code from the v4 channel protocol's final Status. */
export function exitCodeOf(status: V1Status): number {
  if (status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  if (status.reason === 'NonZeroExitCode' && cause?.message) return Number(cause.message);
  // Any other Failure is the API server or kubelet refusing the exec after the upgrade, e.g. a kubelet it cannot dial.
  throw new PodExecError('EXEC_REJECTED', `exec failed: ${status.message ?? status.reason ?? 'unknown status'}`, status.code);
}

/**
 * A WebSocket handshake refused before the upgrade gives only an HTTP status ("Unexpected server
 * response: 400"): the client does not expose the API server's Status body. Map it to what it means.
 */
function rejected(request: ExecRequest, err: unknown): PodExecError {
  // The WebSocket client reports an ErrorEvent, not an Error: its message names the HTTP status.
  const message = err && typeof err === 'object' && 'message' in err ? String((err as { message: unknown }).message) : String(err);
  const httpStatus = Number(/Unexpected server response: (\d+)/.exec(message)?.[1]) || undefined;
  const target = `${request.namespace}/${request.pod} container ${request.container}`;
  if (httpStatus === 404) return new PodExecError('POD_NOT_FOUND', `exec into ${target}: pod not found (HTTP 404)`, httpStatus);
  if (httpStatus === 400) return new PodExecError('CONTAINER_NOT_RUNNING', `exec into ${target}: the API server rejected the request (HTTP 400): the pod is not scheduled, not running, or has no such container`, httpStatus);
  if (httpStatus) return new PodExecError('EXEC_REJECTED', `exec into ${target}: the API server refused the request (HTTP ${httpStatus})`, httpStatus);
  return new PodExecError('STREAM_FAILED', `exec into ${target}: ${message}`);
}

function collector(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  return {
    stream: new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(Buffer.from(chunk));
        callback();
      },
    }),
    text: () => Buffer.concat(chunks).toString(),
  };
}
