/**
 * The seam between Haven's hook logic and the way a command reaches a container. Everything Haven decides
 * (which pods, which container, timeouts, what a failure means) lives above it, so the node emulator's
 * executor exercises all of that logic; only the transport differs.
 */
export interface ExecRequest {
  namespace: string;
  pod: string;
  container: string;
  /** argv, not a shell line: `['/bin/sh', '-c', '...']` when a shell is wanted. */
  command: readonly string[];
  /** Aborting stops the command (its result is then a PodExecError with code ABORTED). */
  signal?: AbortSignal;
}

/** A command that ran to completion. A non-zero exit code is a result, not an error. */
export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface PodExecutor {
  exec(request: ExecRequest): Promise<ExecResult>;
}

export const POD_EXEC_ERROR_CODES = [
  /** The pod does not exist. */
  'POD_NOT_FOUND',
  /** The pod has no container of that name. */
  'CONTAINER_NOT_FOUND',
  /** The container is not running (pending, finished, or the pod is not scheduled). */
  'CONTAINER_NOT_RUNNING',
  /** The API server refused or could not proxy the exec request (e.g. it cannot reach the kubelet). */
  'EXEC_REJECTED',
  /** The stream broke before the command reported its exit status. */
  'STREAM_FAILED',
  /** The request's signal aborted the command. */
  'ABORTED',
] as const;
export type PodExecErrorCode = (typeof POD_EXEC_ERROR_CODES)[number];

/** The command did not run to completion; `code` says why, `httpStatus` carries the API server's answer. */
export class PodExecError extends Error {
  override readonly name = 'PodExecError';

  constructor(
    readonly code: PodExecErrorCode,
    message: string,
    readonly httpStatus?: number,
  ) {
    super(message);
  }
}
