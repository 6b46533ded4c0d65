import type { FastifyPluginAsync } from 'fastify';
import type { ApiContext } from '../context.js';
import { apiKeyRoutes } from './api-keys/routes.js';
import { appHookRoutes } from './app-hooks/routes.js';
import { backupDefinitionKind } from './backup-definitions/kind.js';
import { backupPreviewRoutes } from './backup-definitions/preview-routes.js';
import { clusterInventoryRoutes } from './clusters/inventory-routes.js';
import { clusterRoutes } from './clusters/routes.js';
import { definitionActionRoutes } from './definitions/action-routes.js';
import { definitionCrudRoutes } from './definitions/crud-routes.js';
import { destinationRoutes } from './definitions/destination-routes.js';
import { jobRoutes } from './jobs/routes.js';
import { notificationChannelRoutes } from './notification-channels/routes.js';
import { organizationRoutes } from './organization/routes.js';
import { policyRoutes } from './policies/routes.js';
import { recoveryPointBrowseRoutes } from './recovery-points/browse-routes.js';
import { recoveryPointRoutes } from './recovery-points/routes.js';
import { replicationDefinitionKind } from './replication-definitions/kind.js';
import { restoreKind } from './restores/kind.js';
import { storageTargetRoutes } from './storage-targets/routes.js';
import { userRoutes } from './users/routes.js';

/** Every resource's routes; each file registers one noun. */
export function resourceRoutes(context: ApiContext): FastifyPluginAsync {
  return async (api) => {
    await api.register(organizationRoutes(context));
    await api.register(userRoutes);
    await api.register(apiKeyRoutes);
    await api.register(storageTargetRoutes(context));
    await api.register(clusterRoutes(context));
    await api.register(clusterInventoryRoutes(context));
    await api.register(policyRoutes(context));
    await api.register(appHookRoutes);
    await api.register(definitionCrudRoutes(backupDefinitionKind, context));
    await api.register(definitionActionRoutes(backupDefinitionKind, context));
    await api.register(backupPreviewRoutes(context));
    await api.register(definitionCrudRoutes(replicationDefinitionKind, context));
    await api.register(definitionActionRoutes(replicationDefinitionKind, context));
    await api.register(definitionCrudRoutes(restoreKind, context));
    await api.register(definitionActionRoutes(restoreKind, context));
    await api.register(destinationRoutes(backupDefinitionKind));
    await api.register(destinationRoutes(replicationDefinitionKind));
    await api.register(jobRoutes(context));
    await api.register(recoveryPointRoutes(context));
    await api.register(recoveryPointBrowseRoutes(context));
    await api.register(notificationChannelRoutes(context));
  };
}
