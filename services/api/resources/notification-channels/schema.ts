import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { NOTIFICATION_CHANNEL_KINDS, NOTIFICATION_DELIVERY_STATUSES, NOTIFICATION_EVENTS, SMTP_SECURITY_MODES } from '../../../../lib/common/enums.js';
import { Id, Name, Nullable, RecordMeta, StringEnum, TaggedUnion, Timestamp } from '../../../../lib/domain/schema-kit.js';

/** The submission port with STARTTLS, what mail providers offer their customers. */
export const DEFAULT_SMTP_PORT = 587;
export const MIN_WEBHOOK_SECRET_LENGTH = 16;
export const MAX_MAIL_RECIPIENTS = 20;

const NotificationEvent = StringEnum(NOTIFICATION_EVENTS, {
  description: 'FAILED, PARTIAL, SKIPPED: a run ended so; RECOVERED: a definition\'s first COMPLETED run after a FAILED or PARTIAL one.',
});

/** A mailbox, as an SMTP envelope takes it: no display name, no spaces. */
const Mailbox = Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\x00-\\x20\\x7f@<>(),;:"]+@[^\\x00-\\x20\\x7f@<>(),;:"]+$', examples: ['ops@example.com'] });

const Common = {
  name: Name,
  enabled: Type.Boolean({ default: true, description: 'A disabled channel is sent nothing; deliveries already queued for it fail.' }),
  events: Type.Array(NotificationEvent, { minItems: 1, uniqueItems: true, default: [...NOTIFICATION_EVENTS], description: 'The events sent to this channel.' }),
};

const WebhookSettings = {
  ...Common,
  kind: Type.Literal('WEBHOOK'),
  url: Type.String({
    format: 'uri',
    pattern: '^https?://[^/@]+(/|$)',
    maxLength: 2048,
    description: 'Where the JSON document is POSTed. Public addresses only, unless the installation allows a private network; redirects are not followed.',
  }),
};

const WebhookSecret = Type.String({
  minLength: MIN_WEBHOOK_SECRET_LENGTH,
  maxLength: 256,
  description: 'Write-only: signs each request (X-Haven-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">). Stored encrypted, never returned.',
});

const EmailSettings = {
  ...Common,
  kind: Type.Literal('EMAIL'),
  host: Type.String({ minLength: 1, maxLength: 253, pattern: '^[A-Za-z0-9.:-]+$', description: 'The SMTP server (name or address).' }),
  port: Type.Integer({ minimum: 1, maximum: 65535, default: DEFAULT_SMTP_PORT }),
  security: StringEnum(SMTP_SECURITY_MODES, { default: 'STARTTLS', description: 'TLS from the start (port 465), STARTTLS required, or NONE (plain text: a relay on a trusted network only).' }),
  username: Nullable(Type.String({ minLength: 1, maxLength: 256 }), { default: null, description: 'SMTP login; null sends without authentication.' }),
  from: Mailbox,
  to: Type.Array(Mailbox, { minItems: 1, maxItems: MAX_MAIL_RECIPIENTS, uniqueItems: true }),
};

const SmtpPassword = Type.String({ minLength: 1, maxLength: 1024, description: 'Write-only: the SMTP password, stored encrypted, never returned.' });

export const NotificationChannelCreate = TaggedUnion('kind', [
  Type.Object({ ...WebhookSettings, secret: WebhookSecret }, { additionalProperties: false }),
  Type.Object({ ...EmailSettings, password: Type.Optional(SmtpPassword) }, { additionalProperties: false }),
]);
export type NotificationChannelCreate = Static<typeof NotificationChannelCreate>;

/** On update, the secret and the password may be left out to keep the stored ones. */
export const NotificationChannelUpdate = TaggedUnion('kind', [
  Type.Object({ ...WebhookSettings, secret: Type.Optional(WebhookSecret) }, { additionalProperties: false }),
  Type.Object({ ...EmailSettings, password: Type.Optional(SmtpPassword) }, { additionalProperties: false }),
]);
export type NotificationChannelUpdate = Static<typeof NotificationChannelUpdate>;

export const NotificationChannel = Type.Object({
  ...RecordMeta,
  name: Type.String(),
  kind: StringEnum(NOTIFICATION_CHANNEL_KINDS),
  enabled: Type.Boolean(),
  events: Type.Array(NotificationEvent),
  url: Type.Optional(Type.String()),
  host: Type.Optional(Type.String()),
  port: Type.Optional(Type.Integer()),
  security: Type.Optional(StringEnum(SMTP_SECURITY_MODES)),
  username: Type.Optional(Nullable(Type.String())),
  from: Type.Optional(Type.String()),
  to: Type.Optional(Type.Array(Type.String())),
  hasSecret: Type.Boolean({ description: 'A webhook secret or SMTP password is stored (it is never returned).' }),
});
export type NotificationChannel = Static<typeof NotificationChannel>;

export const NotificationDelivery = Type.Object({
  id: Id,
  channelId: Id,
  jobId: Nullable(Id, { description: 'The run notified about; null once the job record is gone.' }),
  event: NotificationEvent,
  status: StringEnum(NOTIFICATION_DELIVERY_STATUSES, {
    description: 'PENDING: retries left; DELIVERED: accepted (HTTP 2xx, or the SMTP server took the mail); FAILED: out of attempts or the channel was disabled.',
  }),
  attempts: Type.Integer({ minimum: 0 }),
  lastError: Nullable(Type.String(), { description: 'Why the last attempt failed.' }),
  responseStatus: Nullable(Type.Integer(), { description: 'The webhook\'s HTTP status on the last attempt.' }),
  createdAt: Timestamp,
  lastAttemptAt: Nullable(Timestamp),
  deliveredAt: Nullable(Timestamp),
});
export type NotificationDelivery = Static<typeof NotificationDelivery>;

export const DeliveryQuery = {
  status: Type.Optional(StringEnum(NOTIFICATION_DELIVERY_STATUSES)),
};
