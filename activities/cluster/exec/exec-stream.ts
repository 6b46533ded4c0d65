import { PodExecError, type ExecResult } from './pod-executor.js';

/**
 * The exec protocol the agent asks for, and the only one it accepts. In v4 every binary message is one
 * channel byte then data: 1 stdout, 2 stderr, 3 the final metav1.Status as JSON (how the exit code
 * travels). Asking for v4 only means the API server proxies the kubelet's own stream unchanged, which is
 * what test/hooks/fixtures/exec-streams/ recorded; v5 adds only close signals for stdin, which exec
 * without stdin never sends.
 */
export const EXEC_PROTOCOL = 'v4.channel.k8s.io';

const STDOUT = 1;
const STDERR = 2;
const STATUS = 3;
/** v5's stream-close signal: a server speaking v4 never sends it; if one does, it carries no data. */
const CLOSE_SIGNAL = 255;

interface ExecStatus {
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { causes?: { reason?: string; message?: string }[] };
}

/**
 * Reads one exec stream's messages into the command's result. The status may arrive over more than one
 * message, so it is parsed once the stream has ended. Whatever cannot be read as a clear exit code is an
 * error, never exit code 0: a failing freeze hook must not count as passed.
 */
export class ExecStreamReader {
  private readonly stdout: Buffer[] = [];
  private readonly stderr: Buffer[] = [];
  private readonly status: Buffer[] = [];

  constructor(private readonly where: string) {}

  message(data: Buffer): void {
    if (data.length === 0) return;
    const payload = data.subarray(1);
    switch (data[0]) {
      case STDOUT:
        this.stdout.push(payload);
        return;
      case STDERR:
        this.stderr.push(payload);
        return;
      case STATUS:
        this.status.push(payload);
        return;
      case CLOSE_SIGNAL:
        return;
      default:
        throw new PodExecError('STREAM_FAILED', `exec in ${this.where}: message on unknown channel ${data[0]}`);
    }
  }

  /** The result once the stream has closed. */
  result(): ExecResult {
    const text = Buffer.concat(this.status).toString('utf8');
    if (text === '') throw new PodExecError('STREAM_FAILED', `exec in ${this.where} ended without an exit status`);
    let status: ExecStatus;
    try {
      status = JSON.parse(text) as ExecStatus;
    } catch {
      throw new PodExecError('STREAM_FAILED', `exec in ${this.where}: the exit status is not a Status object: ${text.slice(0, 200)}`);
    }
    return { stdout: Buffer.concat(this.stdout).toString(), stderr: Buffer.concat(this.stderr).toString(), exitCode: exitCodeOf(status, this.where) };
  }
}

/** Exit code from the final Status: Success, or Failure with reason NonZeroExitCode and the code in details.causes. */
export function exitCodeOf(status: ExecStatus, where: string): number {
  if (status.status === 'Success') return 0;
  if (status.reason === 'NonZeroExitCode') {
    const code = status.details?.causes?.find((c) => c.reason === 'ExitCode')?.message ?? '';
    // Number(' ') is 0: only a plain positive integer is an exit code here.
    if (/^[0-9]+$/.test(code) && Number(code) > 0) return Number(code);
    throw new PodExecError('STREAM_FAILED', `exec in ${where}: the command failed but its exit code is unreadable (${JSON.stringify(code)})`);
  }
  // Any other Failure is the API server or kubelet refusing the exec after the upgrade (a kubelet it cannot
  // dial, a command that cannot start, a command killed by a signal).
  throw new PodExecError('EXEC_REJECTED', `exec failed: ${status.message ?? status.reason ?? 'unknown status'}`, status.code);
}
