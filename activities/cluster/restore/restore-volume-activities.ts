import { Context } from '@temporalio/activity';
import {
  awaitHookTargetsRequestCodec,
  awaitRestoredClaimsRequestCodec,
  checkSnapshotRestoreRequestCodec,
  releaseHeldWorkloadsRequestCodec,
  releaseSnapshotSourcesRequestCodec,
  type AwaitHookTargetsResult,
  type AwaitRestoredClaimsResult,
  type CheckSnapshotRestoreResult,
  type ReleaseHeldWorkloadsResult,
} from '../../../proto/agent/restore-volumes.js';
import { toActivityFailure } from '../../common/failures.js';
import type { KubeRestClient } from '../../../lib/kube/rest-client.js';
import { awaitHookTargets } from './await-hook-targets.js';
import { awaitRestoredClaims } from './await-restored-claims.js';
import { releaseHeldWorkloads } from './held-workloads.js';
import { releaseSnapshotSources } from './snapshot-sources.js';
import { snapshotRestoreProblems } from './snapshot-restore-check.js';

/**
 * The agent's activities of a restore beyond resources: validate snapshot restores, wait for the claims,
 * clean up their sources, release the workloads held until copies are in, wait for the workloads
 * post-restore hooks act on.
 */
export function clusterRestoreVolumeActivities(deps: { kube: KubeRestClient }) {
  return {
    /** Takes `unknown`: decoded by version (proto/agent), since the sender may be newer. */
    async checkSnapshotRestore(message: unknown): Promise<CheckSnapshotRestoreResult> {
      try {
        return { version: 1, problems: await snapshotRestoreProblems(deps.kube, checkSnapshotRestoreRequestCodec.decode(message)) };
      } catch (error) {
        throw toActivityFailure(error, '(no repository)');
      }
    },

    /** Heartbeats on every poll: provisioning from a large snapshot may take many minutes. */
    async awaitRestoredClaims(message: unknown): Promise<AwaitRestoredClaimsResult> {
      try {
        const request = awaitRestoredClaimsRequestCodec.decode(message);
        const context = Context.current();
        const claims = await awaitRestoredClaims(deps.kube, request.claims, {
          timeoutMs: request.timeoutSeconds * 1000,
          signal: context.cancellationSignal,
          onPoll: (pending) => context.heartbeat({ pending }),
        });
        return { version: 1, claims };
      } catch (error) {
        throw toActivityFailure(error, '(no repository)');
      }
    },

    /** Heartbeats on every poll, like the claims' wait. */
    async awaitHookTargets(message: unknown): Promise<AwaitHookTargetsResult> {
      try {
        const request = awaitHookTargetsRequestCodec.decode(message);
        const context = Context.current();
        const notReady = await awaitHookTargets(
          deps.kube,
          { hooks: request.hooks, runNamespaces: request.runNamespaces, timeoutMs: request.timeoutSeconds * 1000 },
          { signal: context.cancellationSignal, onPoll: (waiting) => context.heartbeat({ waiting }) },
        );
        return { version: 1, notReady };
      } catch (error) {
        throw toActivityFailure(error, '(no repository)');
      }
    },

    async releaseHeldWorkloads(message: unknown): Promise<ReleaseHeldWorkloadsResult> {
      try {
        const request = releaseHeldWorkloadsRequestCodec.decode(message);
        return { version: 1, released: await releaseHeldWorkloads(deps.kube, request.jobId, request.namespaces) };
      } catch (error) {
        throw toActivityFailure(error, '(no repository)');
      }
    },

    async releaseSnapshotSources(message: unknown): Promise<void> {
      try {
        const request = releaseSnapshotSourcesRequestCodec.decode(message);
        await releaseSnapshotSources(deps.kube, request.jobId, request.claims);
      } catch (error) {
        throw toActivityFailure(error, '(no repository)');
      }
    },
  };
}

export type ClusterRestoreVolumeActivities = ReturnType<typeof clusterRestoreVolumeActivities>;
