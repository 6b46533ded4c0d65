import { foreignKey, index, integer, jsonb, pgTable, text, timestamp, boolean, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { NotificationEvent } from '../../common/enums.js';
import { tenantRecordColumns } from './columns.js';
import { notificationChannelKindEnum, notificationDeliveryStatusEnum, notificationEventEnum } from './enums.js';
import { jobs } from './jobs.js';
import { organizations } from './organizations.js';

/** Non-secret settings of a channel; the webhook's signing secret and the SMTP password are in `secret_ciphertext`. */
export type StoredChannelConfig =
  | { url: string }
  | { host: string; port: number; security: 'TLS' | 'STARTTLS' | 'NONE'; username: string | null; from: string; to: string[] };

/** Where an organization's run notifications go. */
export const notificationChannels = pgTable(
  'notification_channels',
  {
    ...tenantRecordColumns(),
    name: text('name').notNull(),
    kind: notificationChannelKindEnum('kind').notNull(),
    enabled: boolean('enabled').notNull().default(true),
    events: jsonb('events').$type<NotificationEvent[]>().notNull(),
    config: jsonb('config').$type<StoredChannelConfig>().notNull(),
    /** Envelope (lib/db/notification-secrets.ts) of the webhook secret or SMTP password; null when there is none. */
    secretCiphertext: text('secret_ciphertext'),
  },
  (t) => [
    foreignKey({ name: 'notification_channels_org_fk', columns: [t.orgId], foreignColumns: [organizations.id] }).onDelete('cascade'),
    unique('notification_channels_org_id_id_unique').on(t.orgId, t.id),
    uniqueIndex('notification_channels_org_name_unique').on(t.orgId, t.name),
    index('notification_channels_org_created_idx').on(t.orgId, t.createdAt, t.id),
  ],
);

/** What a delivery sends: built once when the job ends, so every retry sends the same document. */
export interface NotificationMessage {
  event: NotificationEvent;
  organizationId: string;
  job: {
    id: string;
    kind: string;
    status: string;
    definitionId: string | null;
    definitionName: string;
    message: string;
    skipReason: string | null;
    startedAt: string;
    endedAt: string;
  };
}

/** One notification to one channel, with its attempts: the delivery log. */
export const notificationDeliveries = pgTable(
  'notification_deliveries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull(),
    channelId: uuid('channel_id').notNull(),
    jobId: uuid('job_id').references((): AnyPgColumn => jobs.id, { onDelete: 'set null' }),
    event: notificationEventEnum('event').notNull(),
    status: notificationDeliveryStatusEnum('status').notNull().default('PENDING'),
    attempts: integer('attempts').notNull().default(0),
    /** Why the last attempt failed (an HTTP status, a connection or SMTP error); null after a success. */
    lastError: text('last_error'),
    /** The webhook's HTTP status on the last attempt. */
    responseStatus: integer('response_status'),
    message: jsonb('message').$type<NotificationMessage>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull().defaultNow(),
    lastAttemptAt: timestamp('last_attempt_at', { withTimezone: true, mode: 'date', precision: 3 }),
    deliveredAt: timestamp('delivered_at', { withTimezone: true, mode: 'date', precision: 3 }),
  },
  (t) => [
    foreignKey({ name: 'notification_deliveries_org_fk', columns: [t.orgId], foreignColumns: [organizations.id] }).onDelete('cascade'),
    foreignKey({
      name: 'notification_deliveries_channel_fk',
      columns: [t.orgId, t.channelId],
      foreignColumns: [notificationChannels.orgId, notificationChannels.id],
    }).onDelete('cascade'),
    // One delivery per job, event and channel: a retried job end queues nothing twice.
    uniqueIndex('notification_deliveries_job_event_channel_unique').on(t.jobId, t.event, t.channelId),
    index('notification_deliveries_channel_created_idx').on(t.orgId, t.channelId, t.createdAt, t.id),
  ],
);
