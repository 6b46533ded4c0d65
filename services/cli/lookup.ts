import { answer } from '../../lib/client/client.js';
import type { HavenClient } from '../../lib/client/client.js';
import { CommandFailed } from './command.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A page as every list operation answers. */
interface Page<Item> {
  items: Item[];
  nextCursor: string | null;
}

/** Largest page the API serves: fewer round trips for `list`. */
const PAGE_SIZE = 200;

/** Every item of a list, following nextCursor to the last page. */
export async function allPages<Item>(fetchPage: (query: { limit: number; cursor?: string }) => Promise<Page<Item>>): Promise<Item[]> {
  const items: Item[] = [];
  let cursor: string | undefined;
  do {
    const page = await fetchPage({ limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return items;
}

/**
 * Records are named by id or by name, as users type them. A UUID is taken as the id (the API answers
 * 404 if there is none); otherwise the one record with exactly that name.
 */
async function idOf(kind: string, reference: string, named: (name: string) => Promise<Page<{ id: string; name: string }>>): Promise<string> {
  if (UUID.test(reference)) return reference;
  const matches = (await named(reference)).items.filter((item) => item.name === reference);
  if (matches.length === 0) throw new CommandFailed(`no ${kind} named "${reference}"`);
  return matches[0]!.id;
}

const query = (name: string) => ({ params: { query: { name, limit: PAGE_SIZE } } });

export const clusterIdOf = (client: HavenClient, reference: string) =>
  idOf('cluster', reference, async (name) => answer(await client.GET('/api/v1/clusters', query(name))));

export const backupIdOf = (client: HavenClient, reference: string) =>
  idOf('backup definition', reference, async (name) => answer(await client.GET('/api/v1/backup-definitions', query(name))));

export const storageTargetIdOf = (client: HavenClient, reference: string) =>
  idOf('storage target', reference, async (name) => answer(await client.GET('/api/v1/storage-targets', query(name))));

export const policyIdOf = (client: HavenClient, reference: string) =>
  idOf('policy', reference, async (name) => answer(await client.GET('/api/v1/policies', query(name))));

export const cloudAccountIdOf = (client: HavenClient, reference: string) =>
  idOf('cloud account', reference, async (name) => answer(await client.GET('/api/v1/cloud-accounts', query(name))));

export const rdsBackupIdOf = (client: HavenClient, reference: string) =>
  idOf('RDS backup definition', reference, async (name) => answer(await client.GET('/api/v1/rds-backup-definitions', query(name))));
export const drillIdOf = (client: HavenClient, reference: string) =>
  idOf('restore drill', reference, async (name) => answer(await client.GET('/api/v1/restore-drills', query(name))));
export const notificationChannelIdOf = (client: HavenClient, reference: string) =>
  idOf('notification channel', reference, async (name) => answer(await client.GET('/api/v1/notification-channels', query(name))));
