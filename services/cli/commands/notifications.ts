import { readFileSync } from 'node:fs';
import { answer, type HavenClient, type RequestBody } from '../../../lib/client/client.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { integerValue, listValues, stringValue, UsageError } from '../command.js';
import { CONFIRM_OPTION, confirmed } from '../confirm.js';
import { allPages, notificationChannelIdOf } from '../lookup.js';
import { formatTime, render, table } from '../output.js';

/** The generated type lists the API's defaulted fields as required; what is left out the API defaults. */
type ChannelBody = RequestBody<'createNotificationChannel'>;
type ChannelEvent = ChannelBody['events'][number];

/** What a delivery log shows per page: the newest first, as the API answers them. */
const DELIVERIES_SHOWN = 50;

/**
 * A secret from a file or stdin (`-`), never from the command line, where `ps` and shell history see it.
 * One trailing newline (what `echo` and editors add) is not part of it.
 */
function secretFrom(context: CommandContext, flag: string): string | undefined {
  const path = stringValue(context.values, flag);
  if (path === undefined) return undefined;
  const text = readFileSync(path === '-' ? 0 : path, 'utf8').replace(/\r?\n$/, '');
  if (text === '') throw new UsageError(`--${flag} ${path} is empty`);
  return text;
}

/** The body of `notification add`: a webhook with --url, an e-mail channel with --smtp-host. */
function channelBody(context: CommandContext): ChannelBody {
  const { values } = context;
  const name = context.arguments[0]!;
  const events = listValues(values, 'events');
  const common = { name, ...(events.length > 0 ? { events: events as ChannelEvent[] } : {}), ...(values.disabled === true ? { enabled: false } : {}) };
  const url = stringValue(values, 'url');
  const host = stringValue(values, 'smtp-host');
  if ((url === undefined) === (host === undefined)) throw new UsageError('name the channel: --url for a webhook, or --smtp-host for e-mail (not both)');
  if (url !== undefined) {
    const secret = secretFrom(context, 'secret-file');
    if (!secret) throw new UsageError('a webhook needs --secret-file FILE (or - for stdin): the secret that signs its requests');
    return { kind: 'WEBHOOK', ...common, url, secret } as ChannelBody;
  }
  const from = stringValue(values, 'from');
  const to = listValues(values, 'to');
  if (!from || to.length === 0) throw new UsageError('an e-mail channel needs --from and --to');
  const port = integerValue(values, 'smtp-port');
  const security = stringValue(values, 'smtp-security');
  const username = stringValue(values, 'smtp-username');
  const password = secretFrom(context, 'password-file');
  return {
    kind: 'EMAIL',
    ...common,
    host: host!,
    from,
    to,
    ...(port === undefined ? {} : { port }),
    ...(security === undefined ? {} : { security: security as 'TLS' | 'STARTTLS' | 'NONE' }),
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
  } as ChannelBody;
}

const channelsOf = (client: HavenClient) => allPages(async (query) => answer(await client.GET('/api/v1/notification-channels', { params: { query } })));

export const notificationCommands: CommandSpec[] = [
  {
    group: 'notification',
    verb: 'list',
    aliases: ['get'],
    usage: '',
    summary: "The organization's notification channels (webhooks and e-mail; never their secrets)",
    options: {},
    arity: { min: 0, max: 0 },
    async run(context) {
      const items = await channelsOf(context.client);
      context.stdout.write(
        render(context.output, items, () =>
          table(
            ['name', 'kind', 'enabled', 'events', 'to', 'secret'],
            items.map((c) => [c.name, c.kind, c.enabled ? 'yes' : 'no', c.events.join(','), c.kind === 'WEBHOOK' ? (c.url ?? '') : `${(c.to ?? []).join(',')} via ${c.host}:${c.port}`, c.hasSecret ? 'stored' : 'none']),
          ),
        ),
      );
    },
  },
  {
    group: 'notification',
    verb: 'add',
    usage: 'NAME',
    summary: 'Add a webhook (--url) or e-mail (--smtp-host) channel for run notifications',
    details: [
      'Examples: haven notification add ops --url https://hooks.example.com/haven --secret-file ./ops.secret',
      '          haven notification add ops-mail --smtp-host smtp.example.com --smtp-username haven --password-file - --from haven@example.com --to ops@example.com',
      'Secrets are read from a file or stdin (-), never from the command line; they are stored encrypted and never shown again.',
    ].join('\n'),
    options: {
      url: { type: 'string', value: 'URL', description: 'webhook: where the signed JSON is POSTed' },
      'secret-file': { type: 'string', value: 'FILE|-', description: 'webhook: the signing secret (16-256 characters)' },
      'smtp-host': { type: 'string', value: 'HOST', description: 'e-mail: the SMTP server' },
      'smtp-port': { type: 'string', value: 'PORT', description: "e-mail: its port (the API's default 587)" },
      'smtp-security': { type: 'string', value: 'TLS|STARTTLS|NONE', description: 'e-mail: how the connection is protected (default STARTTLS)' },
      'smtp-username': { type: 'string', value: 'USER', description: 'e-mail: SMTP login (none: unauthenticated)' },
      'password-file': { type: 'string', value: 'FILE|-', description: "e-mail: the SMTP login's password" },
      from: { type: 'string', value: 'ADDRESS', description: 'e-mail: the sender' },
      to: { type: 'string', value: 'ADDRESS[,ADDRESS]', multiple: true, description: 'e-mail: recipients' },
      events: { type: 'string', value: 'FAILED,PARTIAL,SKIPPED,RECOVERED', multiple: true, description: 'the events sent (default all)' },
      disabled: { type: 'boolean', description: 'save it without sending anything yet' },
    },
    arity: { min: 1, max: 1 },
    async run(context) {
      const channel = answer(await context.client.POST('/api/v1/notification-channels', { body: channelBody(context) }));
      context.stdout.write(render(context.output, channel, () => `Notification channel "${channel.name}" (${channel.kind}, ${channel.id}) added.`));
    },
  },
  {
    group: 'notification',
    verb: 'remove',
    aliases: ['delete'],
    usage: 'NAME|ID',
    summary: 'Remove a notification channel and its delivery log',
    options: { ...CONFIRM_OPTION },
    arity: { min: 1, max: 1 },
    async run(context) {
      const id = await notificationChannelIdOf(context.client, context.arguments[0]!);
      if (!(await confirmed(context, `Remove notification channel "${context.arguments[0]!}" (${id}) and its delivery log?`))) return;
      answer(await context.client.DELETE('/api/v1/notification-channels/{id}', { params: { path: { id } } }));
      context.stdout.write(render(context.output, { deleted: id }, () => `Notification channel "${context.arguments[0]!}" removed.`));
    },
  },
  {
    group: 'notification',
    verb: 'deliveries',
    usage: 'NAME|ID',
    summary: "A channel's delivery log, newest first: each notice, its attempts and how it ended",
    options: { status: { type: 'string', value: 'PENDING|DELIVERED|FAILED', description: 'only deliveries in this state' } },
    arity: { min: 1, max: 1 },
    async run(context) {
      const id = await notificationChannelIdOf(context.client, context.arguments[0]!);
      const status = stringValue(context.values, 'status') as 'PENDING' | 'DELIVERED' | 'FAILED' | undefined;
      const items = answer(await context.client.GET('/api/v1/notification-channels/{id}/deliveries', { params: { path: { id }, query: { limit: DELIVERIES_SHOWN, ...(status ? { status } : {}) } } })).items;
      context.stdout.write(
        render(context.output, items, () =>
          table(
            ['created', 'event', 'job', 'status', 'attempts', 'http', 'last error'],
            items.map((d) => [formatTime(d.createdAt), d.event, d.jobId ?? '', d.status, String(d.attempts), d.responseStatus === null ? '' : String(d.responseStatus), d.lastError ?? '']),
          ),
        ),
      );
    },
  },
];
