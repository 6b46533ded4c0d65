import { Type } from '@sinclair/typebox';
import { eq } from 'drizzle-orm';
import { notificationChannels, notificationDeliveries } from '../../../../lib/db/schema/index.js';
import type { ApiContext } from '../../context.js';
import { containsText, NameFilter } from '../../http/filters.js';
import { Page, PageQuery } from '../../http/pagination.js';
import { errorResponses } from '../../http/problem-schema.js';
import { IdParams } from '../../../../lib/domain/schema-kit.js';
import type { RoutePlugin } from '../../http/type-provider.js';
import { expectedVersion, setEtag } from '../../http/versioning.js';
import { DeliveryQuery, NotificationChannel, NotificationChannelCreate, NotificationChannelUpdate, NotificationDelivery } from './schema.js';
import { createChannel, deliveryToApi, toApi, updateChannel } from './store.js';

const tags = ['notification-channels'];
// Channels hold secrets and send the organization's run history out: only admins change them.
const admin = { requiredRole: 'admin' as const };
const what = 'notification channel';

export function notificationChannelRoutes(context: ApiContext): RoutePlugin {
  return async (app) => {
    app.get(
      '/notification-channels',
      {
        schema: {
          tags,
          summary: 'List notification channels',
          querystring: Type.Object({ ...PageQuery, ...NameFilter }, { additionalProperties: false }),
          response: { 200: Page(NotificationChannel), ...errorResponses('unprocessable') },
        },
      },
      async (request) => {
        const { limit, cursor, name } = request.query;
        const page = await request.tenant.list(notificationChannels, {
          limit,
          cursor,
          sort: { column: notificationChannels.createdAt, field: 'createdAt' },
          filters: [containsText(notificationChannels.name, name)],
        });
        return { items: page.rows.map(toApi), nextCursor: page.nextCursor };
      },
    );

    app.get(
      '/notification-channels/:id',
      { schema: { tags, summary: 'Read a notification channel', params: IdParams, response: { 200: NotificationChannel, ...errorResponses('not-found') } } },
      async (request, reply) => {
        const row = await request.tenant.get(notificationChannels, request.params.id, what);
        setEtag(reply, row);
        return toApi(row);
      },
    );

    app.post(
      '/notification-channels',
      {
        config: admin,
        schema: {
          tags,
          summary: 'Add a webhook or e-mail channel for the organization\'s run notifications',
          body: NotificationChannelCreate,
          response: { 201: NotificationChannel, ...errorResponses('name-taken', 'unprocessable') },
        },
      },
      async (request, reply) => {
        const row = await createChannel(request.tenant, context.keyring, context.notificationNetworks, request.body);
        setEtag(reply, row);
        reply.code(201).header('location', `${request.url}/${row.id}`);
        return toApi(row);
      },
    );

    app.put(
      '/notification-channels/:id',
      {
        config: admin,
        schema: {
          tags,
          summary: 'Replace a notification channel (omit the secret or password to keep the stored one)',
          params: IdParams,
          body: NotificationChannelUpdate,
          response: { 200: NotificationChannel, ...errorResponses('not-found', 'name-taken', 'precondition-required', 'version-mismatch', 'unprocessable') },
        },
      },
      async (request, reply) => {
        const version = expectedVersion(request, true) as number;
        const row = await updateChannel(request.tenant, context.keyring, context.notificationNetworks, request.params.id, version, request.body);
        setEtag(reply, row);
        return toApi(row);
      },
    );

    app.delete(
      '/notification-channels/:id',
      {
        config: admin,
        schema: {
          tags,
          summary: 'Delete a notification channel and its delivery log',
          params: IdParams,
          response: { 204: Type.Null(), ...errorResponses('not-found', 'version-mismatch') },
        },
      },
      async (request, reply) => {
        await request.tenant.delete(notificationChannels, request.params.id, expectedVersion(request, false), what);
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/notification-channels/:id/deliveries',
      {
        schema: {
          tags,
          summary: 'The delivery log of a channel: each notification, its attempts and how it ended, newest first',
          params: IdParams,
          querystring: Type.Object({ ...PageQuery, ...DeliveryQuery }, { additionalProperties: false }),
          response: { 200: Page(NotificationDelivery), ...errorResponses('not-found', 'unprocessable') },
        },
      },
      async (request) => {
        const channel = await request.tenant.get(notificationChannels, request.params.id, what);
        const { limit, cursor, status } = request.query;
        const page = await request.tenant.list(notificationDeliveries, {
          limit,
          cursor,
          sort: { column: notificationDeliveries.createdAt, field: 'createdAt' },
          filters: [eq(notificationDeliveries.channelId, channel.id), status ? eq(notificationDeliveries.status, status) : undefined],
        });
        return { items: page.rows.map(deliveryToApi), nextCursor: page.nextCursor };
      },
    );
  };
}
