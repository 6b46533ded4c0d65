import { Context } from '@temporalio/activity';
import { runHookRequestCodec, type RunHookResult } from '../../../proto/agent/index.js';
import type { PodExecutor } from '../exec/pod-executor.js';
import { runHook } from '../hooks/run-hook.js';
import { KubernetesHookPodLister } from '../hooks/pod-lister.js';
import type { KubeRestClient } from '../../../lib/kube/rest-client.js';
import { withHeartbeats } from '../../common/heartbeats.js';
import { toHookActivityFailure } from './hook-failures.js';

export interface ClusterHookDeps {
  kube: KubeRestClient;
  /** KubernetesPodExecutor in production; the node emulator's in tests (no kubelet to exec through). */
  executor: PodExecutor;
}

/** The agent's hook activity: one app hook of a backup run, through the hook runner. */
export function clusterHookActivities(deps: ClusterHookDeps) {
  return {
    /** Takes `unknown`: decoded by version (proto/agent), since the sender may be newer. */
    async runBackupHook(message: unknown): Promise<RunHookResult> {
      try {
        const request = runHookRequestCodec.decode(message);
        const report = await withHeartbeats(() =>
          runHook({
            hook: request.hook,
            runNamespaces: request.runNamespaces,
            pods: new KubernetesHookPodLister(deps.kube),
            executor: deps.executor,
            // Cancelling the run aborts the command in the pod rather than leaving it to finish alone.
            signal: Context.current().cancellationSignal,
          }),
        );
        return { version: 1, report };
      } catch (error) {
        throw toHookActivityFailure(error);
      }
    },
  };
}

export type ClusterHookActivities = ReturnType<typeof clusterHookActivities>;
