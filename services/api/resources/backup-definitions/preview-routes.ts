import { clusters } from '../../../../lib/db/schema/index.js';
import type { ApiContext } from '../../context.js';
import { errorResponses } from '../../http/problem-schema.js';
import { IdParams } from '../../../../lib/domain/schema-kit.js';
import type { RoutePlugin } from '../../http/type-provider.js';
import { agentSelection } from '../../../../lib/domain/runs/run-inputs.js';
import { backupPlan } from '../../../../lib/domain/runs/backup-plan.js';
import type { StoredBackupSpec } from '../../../../lib/domain/definitions/stored.js';
import { requireConnectedAgent } from '../clusters/connected-agent.js';
import { getDefinition } from '../definitions/kind.js';
import { backupDefinitionKind } from './kind.js';
import { BackupPreview, BackupPreviewRequest } from './preview-schema.js';

/** What a backup definition would take, read from the cluster now by its agent; nothing is stored. */
export function backupPreviewRoutes(context: ApiContext): RoutePlugin {
  const { path, what, tag } = backupDefinitionKind;
  return async (app) => {
    app.post(
      `${path}/:id/preview`,
      {
        // Read-only: anyone who may read the definition may see what it selects.
        config: { requiredRole: 'viewer' },
        schema: {
          tags: [tag],
          operationId: 'previewBackupDefinition',
          summary: `List what the ${what} would back up, without running it`,
          description:
            'Namespaces, resources by type, PVs with the method each would use, and pod volumes (hostPath, emptyDir) that are never backed up. ' +
            'Answered by the cluster\'s agent: 409 agent-not-connected when it does not poll, 504 agent-timeout when it does not answer in time.',
          params: IdParams,
          body: BackupPreviewRequest,
          response: { 200: BackupPreview, ...errorResponses('not-found', 'agent-not-connected', 'agent-timeout', 'workflows-unavailable', 'engine-unavailable') },
        },
      },
      async (request) => {
        const row = await getDefinition(request.tenant, 'BACKUP', request.params.id, what);
        const cluster = await request.tenant.get(clusters, row.clusterId, 'cluster');
        await requireConnectedAgent(context, cluster);
        // The same plan a run of the definition would get, so the preview cannot promise what a run would not do.
        const spec = row.spec as unknown as StoredBackupSpec;
        const { persistentVolumes, copy } = backupPlan(spec);
        const result = await context.previewer.preview({
          orgId: row.orgId,
          definitionId: row.id,
          clusterId: cluster.id,
          timeoutMs: request.body.timeoutSeconds * 1000,
          request: {
            version: 1,
            selection: agentSelection(row.id, spec.selection),
            persistentVolumes: {
              include: persistentVolumes.include,
              mode: persistentVolumes.mode,
              snapshotBeforeBackup: copy.snapshotBeforeBackup,
              backupUnsnapshottedPvs: copy.backupUnsnapshottedPvs,
              methodByStorageClass: copy.methodByStorageClass,
              excludeUnattachedPvcs: copy.excludeUnattachedPvcs,
            },
            maxNamesPerType: request.body.maxNamesPerType,
          },
        });
        const { version: _version, ...preview } = result;
        return { definitionId: row.id, clusterId: cluster.id, generatedAt: context.clock.now().toISOString(), ...preview };
      },
    );
  };
}
