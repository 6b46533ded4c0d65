import type { FastifyPluginAsync } from 'fastify';
import type { ApiContext } from '../context.js';
import { apiKeyRoutes } from './api-keys/routes.js';
import { organizationRoutes } from './organization/routes.js';

/** Every resource's routes; each file registers one noun. */
export function resourceRoutes(_context: ApiContext): FastifyPluginAsync {
  return async (api) => {
    await api.register(organizationRoutes);
    await api.register(apiKeyRoutes);
  };
}
