import { Type } from '@sinclair/typebox';
import { eq, isNull } from 'drizzle-orm';
import { RDS_DATABASE_TYPES } from '../../../../lib/common/enums.js';
import { rdsDatabases, type RdsDatabaseRow } from '../../../../lib/db/schema/index.js';
import { Page, PageQuery } from '../../http/pagination.js';
import { errorResponses } from '../../http/problem-schema.js';
import { Id, IdParams, StringEnum } from '../../../../lib/domain/schema-kit.js';
import type { RoutePlugin } from '../../http/type-provider.js';
import { RdsDatabase } from './schema.js';

const tags = ['rds-databases'];

function toApi(row: RdsDatabaseRow): RdsDatabase {
  return {
    id: row.id,
    cloudAccountId: row.cloudAccountId,
    region: row.region,
    type: row.type,
    identifier: row.identifier,
    arn: row.arn,
    engine: row.engine,
    engineVersion: row.engineVersion,
    status: row.status,
    instanceClass: row.instanceClass,
    automaticSnapshots: row.automaticSnapshots,
    firstSeenAt: row.createdAt.toISOString(),
    lastSeenAt: row.lastSeenAt.toISOString(),
    deleted: row.deletedAt !== null,
    deletedAt: row.deletedAt?.toISOString() ?? null,
  };
}

/** The RDS inventory as the last refresh of each account found it (cloud-accounts' run-inventory, or the 12-hourly Schedule). */
export const rdsDatabaseRoutes: RoutePlugin = async (app) => {
  app.get(
    '/rds-databases',
    {
      schema: {
        tags,
        summary: 'List the RDS instances and Aurora clusters the inventory found, newest first',
        querystring: Type.Object(
          {
            ...PageQuery,
            cloudAccountId: Type.Optional(Id),
            region: Type.Optional(Type.String({ maxLength: 32 })),
            type: Type.Optional(StringEnum(RDS_DATABASE_TYPES)),
            includeDeleted: Type.Boolean({ default: true, description: 'false leaves out databases AWS no longer lists.' }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(RdsDatabase), ...errorResponses('unprocessable') },
      },
    },
    async (request) => {
      const { limit, cursor, cloudAccountId, region, type, includeDeleted } = request.query;
      const page = await request.tenant.list(rdsDatabases, {
        limit,
        cursor,
        sort: { column: rdsDatabases.createdAt, field: 'createdAt' },
        filters: [
          cloudAccountId ? eq(rdsDatabases.cloudAccountId, cloudAccountId) : undefined,
          region ? eq(rdsDatabases.region, region) : undefined,
          type ? eq(rdsDatabases.type, type) : undefined,
          includeDeleted ? undefined : isNull(rdsDatabases.deletedAt),
        ],
      });
      return { items: page.rows.map(toApi), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/rds-databases/:id',
    { schema: { tags, summary: 'Read one database of the RDS inventory', params: IdParams, response: { 200: RdsDatabase, ...errorResponses('not-found') } } },
    async (request) => toApi(await request.tenant.get(rdsDatabases, request.params.id, 'RDS database')),
  );
};
