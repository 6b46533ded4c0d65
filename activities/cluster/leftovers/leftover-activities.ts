import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { Context } from '@temporalio/activity';
import { listLeftoversRequestCodec, sweepLeftoversRequestCodec, type ListLeftoversResult, type SweepLeftoversResult } from '../../../proto/agent/index.js';
import { withHeartbeats } from '../../common/heartbeats.js';
import { SnapshotApi } from '../snapshots/snapshot-api.js';
import { toSnapshotActivityFailure } from '../snapshots/snapshot-failures.js';
import { findLeftovers } from './find-leftovers.js';
import { sweepLeftovers } from './sweep-leftovers.js';

export interface LeftoverDeps {
  kubeConfig: KubeConfig;
}

/**
 * The agent's half of the leftover sweep (workflows/leftover-sweep.ts): it reports what carries Haven's
 * labels and deletes what the control plane says belongs to ended jobs. It never decides itself which
 * jobs ended: the cluster is the tenant's, and so is anything it would claim.
 */
export function leftoverActivities(deps: LeftoverDeps) {
  const core = deps.kubeConfig.makeApiClient(CoreV1Api);
  const api = new SnapshotApi(deps.kubeConfig);
  return {
    async listLeftovers(message: unknown): Promise<ListLeftoversResult> {
      try {
        listLeftoversRequestCodec.decode(message);
        return { version: 1, jobs: await withHeartbeats(() => findLeftovers(deps.kubeConfig, core)) };
      } catch (error) {
        throw toSnapshotActivityFailure(error);
      }
    },

    async sweepLeftovers(message: unknown): Promise<SweepLeftoversResult> {
      try {
        const request = sweepLeftoversRequestCodec.decode(message);
        const context = Context.current();
        return { version: 1, deleted: await sweepLeftovers(deps.kubeConfig, core, api, request, () => context.heartbeat({ phase: 'waiting for deletions' })) };
      } catch (error) {
        throw toSnapshotActivityFailure(error);
      }
    },
  };
}

export type LeftoverActivities = ReturnType<typeof leftoverActivities>;
