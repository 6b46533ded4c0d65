import { Type } from '@sinclair/typebox';
import { cloudAccounts } from '../../../../lib/db/schema/index.js';
import type { ApiContext } from '../../context.js';
import { containsText, NameFilter } from '../../http/filters.js';
import { Page, PageQuery } from '../../http/pagination.js';
import { errorResponses } from '../../http/problem-schema.js';
import { IdParams } from '../../../../lib/domain/schema-kit.js';
import type { RoutePlugin } from '../../http/type-provider.js';
import { expectedVersion, setEtag } from '../../http/versioning.js';
import { referencesToCloudAccount, refuseWhileReferenced } from '../references.js';
import { CloudAccount, CloudAccountCreate, InventoryRun } from './schema.js';
import { createCloudAccount, toApi } from './store.js';

const tags = ['cloud-accounts'];
// Cloud accounts hold credentials: only admins add or remove them.
const admin = { requiredRole: 'admin' as const };
const what = 'cloud account';

export function cloudAccountRoutes(context: ApiContext): RoutePlugin {
  return async (app) => {
    app.get(
      '/cloud-accounts',
      {
        schema: {
          tags,
          summary: 'List AWS cloud accounts',
          querystring: Type.Object({ ...PageQuery, ...NameFilter }, { additionalProperties: false }),
          response: { 200: Page(CloudAccount), ...errorResponses('unprocessable') },
        },
      },
      async (request) => {
        const { limit, cursor, name } = request.query;
        const page = await request.tenant.list(cloudAccounts, { limit, cursor, sort: { column: cloudAccounts.createdAt, field: 'createdAt' }, filters: [containsText(cloudAccounts.name, name)] });
        return { items: page.rows.map(toApi), nextCursor: page.nextCursor };
      },
    );

    app.get(
      '/cloud-accounts/:id',
      { schema: { tags, summary: 'Read a cloud account', params: IdParams, response: { 200: CloudAccount, ...errorResponses('not-found') } } },
      async (request, reply) => {
        const row = await request.tenant.get(cloudAccounts, request.params.id, what);
        setEtag(reply, row);
        return toApi(row);
      },
    );

    app.post(
      '/cloud-accounts',
      {
        config: admin,
        schema: {
          tags,
          summary: 'Add an AWS account (its access keys, or a role to assume); its permissions are checked first',
          description: 'The credentials are checked with AWS (STS) and the policies attached to their user or role are read from IAM: 422 naming every permission Haven needs that they lack.',
          body: CloudAccountCreate,
          response: { 201: CloudAccount, ...errorResponses('name-taken', 'unprocessable') },
        },
      },
      async (request, reply) => {
        const row = await createCloudAccount(request.tenant, context.keyring, context.cloudAccountCheck, request.body);
        setEtag(reply, row);
        reply.code(201).header('location', `${request.url}/${row.id}`);
        return toApi(row);
      },
    );

    app.delete(
      '/cloud-accounts/:id',
      {
        config: admin,
        schema: {
          tags,
          summary: 'Remove a cloud account no RDS definition or recovery point uses (its inventory goes with it)',
          params: IdParams,
          response: { 204: Type.Null(), ...errorResponses('not-found', 'still-referenced', 'version-mismatch') },
        },
      },
      async (request, reply) => {
        await request.tenant.transaction(async (scope) => {
          await scope.getForUpdate(cloudAccounts, request.params.id, what);
          refuseWhileReferenced(`cloud account ${request.params.id}`, await referencesToCloudAccount(scope, request.params.id));
          await scope.delete(cloudAccounts, request.params.id, expectedVersion(request, false), what);
        });
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/cloud-accounts/:id/actions/run-inventory',
      {
        schema: {
          tags,
          operationId: 'runCloudAccountInventory',
          summary: 'Refresh the account\'s RDS inventory now (it is otherwise refreshed every 12 hours)',
          description: 'Lists the instances and Aurora clusters of every region of the account with their automatic snapshots; databases no longer listed are marked deleted. 501 while this build has no workflow engine.',
          params: IdParams,
          response: { 200: InventoryRun, ...errorResponses('not-found', 'workflows-unavailable') },
        },
      },
      async (request) => {
        const row = await request.tenant.get(cloudAccounts, request.params.id, what);
        const outcome = await context.launcher.runRdsInventory({ orgId: row.orgId, cloudAccountId: row.id });
        const mine = outcome.accounts.find((account) => account.cloudAccountId === row.id);
        return { found: mine?.found ?? 0, markedDeleted: mine?.markedDeleted ?? 0, ...(mine?.error ? { error: mine.error } : {}) };
      },
    );
  };
}
