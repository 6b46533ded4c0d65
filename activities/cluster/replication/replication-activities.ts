import { Context } from '@temporalio/activity';
import { resetNamespacesRequestCodec, type ResetNamespacesResult } from '../../../proto/agent/reset-namespaces.js';
import { toActivityFailure } from '../../common/failures.js';
import type { KubeRestClient } from '../../../lib/kube/rest-client.js';
import { resetNamespaces } from './reset-namespaces.js';

/** The agent's part of a replication beyond backup and restore: replacing the destination namespaces. */
export function clusterReplicationActivities(deps: { kube: KubeRestClient }) {
  return {
    /** Takes `unknown`: decoded by version (proto/agent). Heartbeats on every poll while namespaces terminate. */
    async resetNamespaces(message: unknown): Promise<ResetNamespacesResult> {
      try {
        const request = resetNamespacesRequestCodec.decode(message);
        const context = Context.current();
        const { deleted } = await resetNamespaces(
          deps.kube,
          { jobId: request.jobId, namespaces: request.namespaces, timeoutMs: request.timeoutSeconds * 1000, replaceUnmanagedNamespaces: request.replaceUnmanagedNamespaces === true },
          { signal: context.cancellationSignal, onPoll: (terminating) => context.heartbeat({ terminating }) },
        );
        return { version: 1, deleted };
      } catch (error) {
        throw toActivityFailure(error, '(no repository)');
      }
    },
  };
}

export type ClusterReplicationActivities = ReturnType<typeof clusterReplicationActivities>;
