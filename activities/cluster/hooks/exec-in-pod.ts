import { PodExecError, type ExecResult, type PodExecutor } from '../exec/pod-executor.js';
import type { HookTarget } from './hook-targets.js';
import { tail, type HookPodOutcome } from './outcomes.js';

export interface ExecInPodOptions {
  command: readonly string[];
  timeoutMs: number;
  /** Cancellation of the whole run (the activity's); unlike the timeout it is not a hook outcome. */
  signal?: AbortSignal;
  now: () => number;
}

type Settled = { kind: 'result'; result: ExecResult } | { kind: 'error'; error: unknown } | { kind: 'timeout' };

/**
 * Runs the hook's command in one pod and turns whatever happens into an outcome. The timeout is Haven's
 * to enforce, not the transport's: when it fires the command is aborted and the outcome is settled at
 * once, even if an executor is slow to notice the abort.
 */
export async function execHookInPod(executor: PodExecutor, target: HookTarget, options: ExecInPodOptions): Promise<HookPodOutcome> {
  const { namespace, pod, container } = target;
  const started = options.now();
  const outcome = (fields: Pick<HookPodOutcome, 'status' | 'exitCode'> & Partial<HookPodOutcome>): HookPodOutcome => ({
    namespace,
    pod,
    container,
    stdoutTail: '',
    stderrTail: '',
    durationMs: options.now() - started,
    ...fields,
  });
  if (target.missingContainer) {
    return outcome({ status: 'FAILED', exitCode: null, error: { code: 'CONTAINER_NOT_IN_POD', message: `pod ${namespace}/${pod} has no container "${container}"` } });
  }

  const abort = new AbortController();
  const onCancel = () => abort.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onCancel, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<Settled>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'timeout' }), options.timeoutMs);
  });
  const ran = executor.exec({ namespace, pod, container, command: options.command, signal: abort.signal }).then(
    (result): Settled => ({ kind: 'result', result }),
    (error: unknown): Settled => ({ kind: 'error', error }),
  );
  try {
    const settled = await Promise.race([ran, timedOut]);
    if (settled.kind === 'timeout') {
      abort.abort(new Error('hook timed out'));
      return outcome({ status: 'FAILED', exitCode: null, error: { code: 'TIMED_OUT', message: `timed out after ${options.timeoutMs / 1000}s; the command was aborted` } });
    }
    if (settled.kind === 'result') {
      const { exitCode, stdout, stderr } = settled.result;
      return outcome({ status: exitCode === 0 ? 'SUCCEEDED' : 'FAILED', exitCode, stdoutTail: tail(stdout), stderrTail: tail(stderr) });
    }
    // The run was cancelled: that is the caller's decision to report, not this pod's failure.
    if (options.signal?.aborted) throw settled.error;
    if (settled.error instanceof PodExecError) {
      return outcome({ status: 'FAILED', exitCode: null, error: { code: settled.error.code, message: settled.error.message } });
    }
    throw settled.error;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onCancel);
  }
}
