import { parseLabelSelector } from '../../../lib/common/label-selector.js';
import type { PodExecutor } from '../exec/pod-executor.js';
import { HookFailedError, InvalidHookError } from './errors.js';
import { execHookInPod } from './exec-in-pod.js';
import { hookNamespaces, type HookDefinition } from './hook-definition.js';
import { hookTargets } from './hook-targets.js';
import type { HookPodOutcome, HookReport } from './outcomes.js';
import type { HookPodLister } from './pod-lister.js';

export interface RunHookInput {
  hook: HookDefinition;
  /** The run's selected namespaces: the hook runs in these only (those it lists among them, or all when it lists none). */
  runNamespaces: readonly string[];
  pods: HookPodLister;
  /** Production: KubernetesPodExecutor. Tests: the node emulator's; everything above it is the same code. */
  executor: PodExecutor;
  /** Cancels the run (e.g. the activity's cancellation signal). */
  signal?: AbortSignal;
  /** Injectable clock for durations. */
  now?: () => number;
}

/**
 * Runs one app hook: selects the Running pods its selector matches in its namespaces that the run
 * selected, runs the command in each, one pod at a time, and reports every pod's outcome. Namespaces the
 * hook names outside the run are not looked in, only reported (`notSelected`): the agent holds this
 * line itself, whatever the hook definition or the API let through.
 *
 * Pods run one after another in a fixed order so that a FAIL hook stops at the first failure: a pre-backup
 * freeze that failed in one replica must not go on to freeze the others. The remaining pods are reported
 * SKIPPED. With CONTINUE every pod runs and the verdict is FAILED_CONTINUED. A hook that matches no pod
 * is reported (NO_MATCHING_PODS), not failed.
 *
 * @throws HookFailedError when a pod fails and onError is FAIL; its `report` holds every outcome.
 * @throws InvalidHookError when the pod selector does not parse or is empty.
 */
export async function runHook(input: RunHookInput): Promise<HookReport> {
  const { hook, executor } = input;
  const now = input.now ?? Date.now;
  const parsed = parseLabelSelector(hook.podSelector);
  if (!parsed.ok) throw new InvalidHookError(`hook "${hook.name}": pod selector ${JSON.stringify(hook.podSelector)}: ${parsed.error.message}`);
  // An empty selector would run the command in every pod of the namespaces: never what a hook means.
  if (parsed.selector.requirements.length === 0) throw new InvalidHookError(`hook "${hook.name}": the pod selector is empty`);
  const { namespaces, notSelected } = hookNamespaces(hook, input.runNamespaces);

  const targets = [];
  for (const namespace of namespaces) targets.push(...hookTargets(await input.pods.listPods(namespace, parsed.selector), parsed.selector, hook.container));
  const report = (verdict: HookReport['verdict'], outcomes: HookPodOutcome[]): HookReport => ({
    hook: hook.name,
    type: hook.type,
    onError: hook.onError,
    namespaces,
    ...(notSelected.length > 0 ? { notSelected } : {}),
    verdict,
    outcomes,
  });
  if (targets.length === 0) return report('NO_MATCHING_PODS', []);

  const outcomes: HookPodOutcome[] = [];
  let firstFailure: HookPodOutcome | undefined;
  for (const target of targets) {
    if (firstFailure && hook.onError === 'FAIL') {
      outcomes.push({ ...target, status: 'SKIPPED', exitCode: null, stdoutTail: '', stderrTail: '', durationMs: 0 });
      continue;
    }
    const outcome = await execHookInPod(executor, target, { command: hook.command, timeoutMs: hook.timeoutSeconds * 1000, signal: input.signal, now });
    outcomes.push(outcome);
    if (outcome.status === 'FAILED') firstFailure ??= outcome;
  }
  if (!firstFailure) return report('SUCCEEDED', outcomes);
  if (hook.onError === 'CONTINUE') return report('FAILED_CONTINUED', outcomes);
  throw new HookFailedError(report('FAILED', outcomes), firstFailure);
}
