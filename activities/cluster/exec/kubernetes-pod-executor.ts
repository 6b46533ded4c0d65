import type { IncomingMessage } from 'node:http';
import { stringify } from 'node:querystring';
import type { KubeConfig } from '@kubernetes/client-node';
import WebSocket from 'ws';
import { EXEC_PROTOCOL, ExecStreamReader } from './exec-stream.js';
import { PodExecError, type ExecRequest, type ExecResult, type PodExecutor } from './pod-executor.js';

/**
 * Runs commands through the Kubernetes exec API (a WebSocket to pods/exec, proxied by the API server to
 * the node's kubelet), asking for the v4 channel protocol only (exec-stream.ts reads it). Not
 * client-node's Exec: it offers v5 first, and on a v5 close signal it ends the process's own stdout.
 */
export class KubernetesPodExecutor implements PodExecutor {
  constructor(private readonly config: KubeConfig) {}

  async exec(request: ExecRequest): Promise<ExecResult> {
    if (request.signal?.aborted) throw new PodExecError('ABORTED', 'exec aborted before it started');
    const where = `${request.namespace}/${request.pod}`;
    const target = `${where} container ${request.container}`;
    const socket = new WebSocket(await this.url(request), [EXEC_PROTOCOL], await this.tlsAndAuth());
    const reader = new ExecStreamReader(where);
    return new Promise<ExecResult>((resolve, reject) => {
      let opened = false;
      let failure: PodExecError | undefined;
      const fail = (error: PodExecError) => {
        failure ??= error;
        socket.terminate();
      };
      const onAbort = () => fail(new PodExecError('ABORTED', `exec in ${where} aborted`));
      request.signal?.addEventListener('abort', onAbort, { once: true });
      socket.once('open', () => {
        opened = true;
        if (socket.protocol !== EXEC_PROTOCOL) fail(new PodExecError('EXEC_REJECTED', `exec into ${target}: the server answered protocol "${socket.protocol}", not ${EXEC_PROTOCOL}`));
      });
      // Listening from the start: the first messages can arrive in the same read as the upgrade.
      socket.on('message', (data: Buffer, isBinary: boolean) => {
        if (failure) return;
        try {
          if (!isBinary) throw new PodExecError('STREAM_FAILED', `exec in ${where}: a text message on a binary ${EXEC_PROTOCOL} stream`);
          reader.message(data);
        } catch (error) {
          fail(error as PodExecError);
        }
      });
      // Refused before the upgrade: the body is the API server's Status, which says why.
      socket.once('unexpected-response', (_request, response) => {
        void statusMessage(response).then((message) => fail(refused(target, response.statusCode, message)));
      });
      socket.on('error', (error: Error) => {
        failure ??= new PodExecError('STREAM_FAILED', opened ? `exec stream failed: ${error.message}` : `exec into ${target}: ${error.message}`);
      });
      socket.once('close', () => {
        request.signal?.removeEventListener('abort', onAbort);
        if (failure) return reject(failure);
        try {
          resolve(reader.result());
        } catch (error) {
          reject(error as Error);
        }
      });
    });
  }

  private async url(request: ExecRequest): Promise<string> {
    const server = this.config.getCurrentCluster()?.server;
    if (!server) throw new PodExecError('EXEC_REJECTED', 'the kubeconfig names no cluster');
    const query = stringify({ stdout: true, stderr: true, stdin: false, tty: false, command: [...request.command], container: request.container });
    return `${server.replace(/^http/, 'ws')}/api/v1/namespaces/${encodeURIComponent(request.namespace)}/pods/${encodeURIComponent(request.pod)}/exec?${query}`;
  }

  /** The kubeconfig's CA, client certificate and token, as client-node applies them to its own requests. */
  private async tlsAndAuth(): Promise<WebSocket.ClientOptions> {
    const options: WebSocket.ClientOptions = {};
    await this.config.applyToHTTPSOptions(options);
    return options;
  }
}

/** The longest refusal body read: a Status is a few hundred bytes; anything longer is cut. */
const MAX_REFUSAL_BYTES = 16 * 1024;

/** The `message` of the Status a refusal carries, if its body is one. */
async function statusMessage(response: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= MAX_REFUSAL_BYTES) break;
    }
    const status = JSON.parse(Buffer.concat(chunks).subarray(0, MAX_REFUSAL_BYTES).toString('utf8')) as { message?: unknown };
    return typeof status.message === 'string' ? status.message : undefined;
  } catch {
    return undefined;
  }
}

/** A refusal before the upgrade, by what its HTTP status means, with the API server's reason when it gave one. */
function refused(target: string, httpStatus: number | undefined, message: string | undefined): PodExecError {
  const because = message ? `: ${message}` : '';
  if (httpStatus === 404) return new PodExecError('POD_NOT_FOUND', `exec into ${target}: pod not found (HTTP 404)${because}`, httpStatus);
  if (httpStatus === 400) {
    return new PodExecError('CONTAINER_NOT_RUNNING', `exec into ${target}: the API server rejected the request (HTTP 400): ${message ?? 'the pod is not scheduled, not running, or has no such container'}`, httpStatus);
  }
  return new PodExecError('EXEC_REJECTED', `exec into ${target}: the API server refused the request (HTTP ${httpStatus ?? 'unknown'})${because}`, httpStatus);
}
