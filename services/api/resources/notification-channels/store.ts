import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import type { notificationDeliveries} from '../../../../lib/db/schema/index.js';
import { notificationChannels, type StoredChannelConfig } from '../../../../lib/db/schema/index.js';
import { fieldProblem } from '../../../../lib/common/problem.js';
import type { SecretKeyring } from '../../../../lib/common/secrets.js';
import { StorageAccessRefusedError, type EndpointNetworks } from '../../../../lib/common/storage-access/endpoints.js';
import { encryptChannelSecret } from '../../../../lib/db/notification-secrets.js';
import type { TenantScope } from '../../../../lib/db/tenant-scope.js';
import type { NotificationChannel, NotificationChannelCreate, NotificationChannelUpdate, NotificationDelivery } from './schema.js';

type Row = typeof notificationChannels.$inferSelect;
type Input = NotificationChannelCreate | NotificationChannelUpdate;
const what = 'notification channel';

/** A URL naming the host to check: a bare IPv6 address needs brackets to be one. */
function hostUrl(host: string): string {
  return `smtp://${isIP(host) === 6 ? `[${host}]` : host}`;
}

/**
 * Refuses a webhook URL or SMTP host the control plane must not connect to (422 on the field), checked
 * now for the tenant's benefit; the worker checks again at every connection, since names change.
 */
async function checkReachable(networks: EndpointNetworks, input: Input): Promise<void> {
  const [field, url] = input.kind === 'WEBHOOK' ? ['body.url', input.url] : ['body.host', hostUrl(input.host)];
  try {
    await networks.check(url);
  } catch (error) {
    if (error instanceof StorageAccessRefusedError) throw fieldProblem(field, error.message);
    throw error;
  }
}

function settingsOf(input: Input): { name: string; kind: Row['kind']; enabled: boolean; events: Row['events']; config: StoredChannelConfig } {
  const { name, kind, enabled, events } = input;
  if (input.kind === 'WEBHOOK') return { name, kind, enabled, events, config: { url: input.url } };
  const { host, port, security, username, from, to } = input;
  return { name, kind, enabled, events, config: { host, port, security, username, from, to } };
}

function secretOf(input: Input): string | undefined {
  return input.kind === 'WEBHOOK' ? input.secret : input.password;
}

export async function createChannel(scope: TenantScope, keyring: SecretKeyring, networks: EndpointNetworks, input: NotificationChannelCreate): Promise<Row> {
  await checkReachable(networks, input);
  const id = randomUUID();
  const secret = secretOf(input);
  const secretCiphertext = secret === undefined ? null : encryptChannelSecret(keyring, scope.orgId, id, secret);
  return scope.insert(notificationChannels, { id, ...settingsOf(input), secretCiphertext });
}

export async function updateChannel(
  scope: TenantScope,
  keyring: SecretKeyring,
  networks: EndpointNetworks,
  id: string,
  version: number,
  input: NotificationChannelUpdate,
): Promise<Row> {
  await checkReachable(networks, input);
  const current = await scope.get(notificationChannels, id, what);
  const secret = secretOf(input);
  // A secret of one kind never serves as the other's: changing kind without giving one stores none.
  let secretCiphertext = current.kind === input.kind ? current.secretCiphertext : null;
  if (secret !== undefined) secretCiphertext = encryptChannelSecret(keyring, scope.orgId, id, secret);
  if (input.kind === 'WEBHOOK' && secretCiphertext === null) throw fieldProblem('body.secret', 'a webhook needs a signing secret: give one');
  return scope.update(notificationChannels, id, version, { ...settingsOf(input), secretCiphertext }, what);
}

export function toApi(row: Row): NotificationChannel {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    enabled: row.enabled,
    events: row.events,
    ...row.config,
    hasSecret: row.secretCiphertext !== null,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function deliveryToApi(row: typeof notificationDeliveries.$inferSelect): NotificationDelivery {
  return {
    id: row.id,
    channelId: row.channelId,
    jobId: row.jobId,
    event: row.event,
    status: row.status,
    attempts: row.attempts,
    lastError: row.lastError,
    responseStatus: row.responseStatus,
    createdAt: row.createdAt.toISOString(),
    lastAttemptAt: row.lastAttemptAt?.toISOString() ?? null,
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
  };
}
