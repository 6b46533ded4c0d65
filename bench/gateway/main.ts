import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import type proto from '@temporalio/proto';
import { eq } from 'drizzle-orm';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { gatewayConnectionOptions } from '../../lib/cluster-access/gateway-connection.js';
import { generateSecretToken, hashSecretToken } from '../../lib/common/secret-tokens.js';
import { parseKeyring } from '../../lib/common/secrets.js';
import { havenDataConverter } from '../../lib/common/temporal/data-converter.js';
import { clusterTaskQueue, organizationWorkflowId } from '../../lib/common/temporal/names.js';
import { connectDatabase } from '../../lib/db/client.js';
import { runMigrations } from '../../lib/db/migrate.js';
import { OrganizationPayloadKeys } from '../../lib/db/organization-payload-keys.js';
import { clusters, organizations } from '../../lib/db/schema/index.js';
import { startGateway } from '../../services/gateway/gateway.js';
import { PrincipalResolver } from '../../services/gateway/principals.js';
import { up } from '../../scripts/stack/stack.js';
import { numberFlag } from '../flags.js';

type Event = proto.temporal.api.history.v1.IHistoryEvent;

/**
 * What the agent gateway adds to each activity task a cluster runs: the same workflow of `--count`
 * sequential trivial activities (a `--payload-bytes` argument and result) is run twice against the
 * stack's Temporal, once with the agent's worker connected straight to Temporal holding the payload key
 * (before the gateway) and once through the gateway with the cluster's token (the gateway authenticates,
 * wraps the task token and opens and seals the payloads). Each activity's latency is the time from its
 * ActivityTaskScheduled event to its ActivityTaskCompleted event, as Temporal recorded them.
 *
 *   npm run bench -- gateway [--count 300] [--payload-bytes 2048]
 */
const millis = (event: Event) => Number(event.eventTime?.seconds ?? 0) * 1000 + (event.eventTime?.nanos ?? 0) / 1e6;

function latencies(events: Event[]): number[] {
  const scheduled = new Map<string, number>();
  const out: number[] = [];
  for (const event of events) {
    if (event.activityTaskScheduledEventAttributes) scheduled.set(String(event.eventId), millis(event));
    const completed = event.activityTaskCompletedEventAttributes;
    if (completed) out.push(millis(event) - scheduled.get(String(completed.scheduledEventId))!);
  }
  return out.sort((a, b) => a - b);
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

export async function main(args: string[]): Promise<void> {
  const count = numberFlag(args, 'count', 300);
  const payloadBytes = numberFlag(args, 'payload-bytes', 2048);
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const stack = process.env.TEMPORAL_ADDRESS && process.env.DATABASE_URL ? (process.env as Record<string, string>) : await up(0);
  const namespace = stack.TEMPORAL_NAMESPACE || 'default';
  const installationKeyring = parseKeyring(`bench:${Buffer.alloc(32, 3).toString('base64')}`);
  const database = connectDatabase(stack.DATABASE_URL!);
  await runMigrations(database.pool);
  const [org] = await database.db.insert(organizations).values({ name: `gateway-bench-${randomUUID()}` }).returning();
  const token = generateSecretToken('hvn_agent_');
  const [cluster] = await database.db.insert(clusters).values({ orgId: org!.id, name: 'bench', kubeletPodsDir: '/var/lib/kubelet/pods', agentTokenHash: hashSecretToken(token) }).returning();
  const payloadKeys = new OrganizationPayloadKeys(database.db, installationKeyring);
  const dataConverter = havenDataConverter(payloadKeys);
  const taskQueue = clusterTaskQueue(cluster!.id);
  const controlQueue = `gateway-bench-${randomUUID()}`;

  const direct = await NativeConnection.connect({ address: stack.TEMPORAL_ADDRESS! });
  const gateway = await startGateway({
    upstream: stack.TEMPORAL_ADDRESS!,
    namespace,
    listen: '127.0.0.1:0',
    installationKeyring,
    principals: new PrincipalResolver(database.db, installationKeyring),
    payloadKeys,
  });
  const throughGateway = await NativeConnection.connect(gatewayConnectionOptions({ address: gateway.address, namespace }, token));
  const control = await Worker.create({
    connection: direct,
    namespace,
    taskQueue: controlQueue,
    workflowsPath: fileURLToPath(new URL('./ping-workflow.ts', import.meta.url)),
    dataConverter,
  });
  const clientConnection = await Connection.connect({ address: stack.TEMPORAL_ADDRESS! });
  const client = new Client({ connection: clientConnection, namespace, dataConverter });
  const activities = { ping: async (body: string) => body };
  const rows: { path: string; median: number; p99: number; mean: number }[] = [];
  try {
    await control.runUntil(async () => {
      const paths: [string, () => Promise<Worker>][] = [
        ['direct to Temporal, agent holds the key', () => Worker.create({ connection: direct, namespace, taskQueue, activities, dataConverter })],
        ['through the gateway, agent holds no key', () => Worker.create({ connection: throughGateway, namespace, taskQueue, activities })],
      ];
      for (const [path, create] of paths) {
        const agent = await create();
        await agent.runUntil(async () => {
          // A short warm-up, not measured: connections, the principal cache, the organization's key.
          for (const [n, measured] of [[20, false], [count, true]] as const) {
            const workflowId = organizationWorkflowId(org!.id, `gateway-bench-${randomUUID()}`);
            await client.workflow.execute('pingWorkflow', { taskQueue: controlQueue, workflowId, args: [{ taskQueue, count: n, payloadBytes }] });
            if (!measured) continue;
            const history = await client.workflow.getHandle(workflowId).fetchHistory();
            const sorted = latencies(history.events ?? []);
            rows.push({ path, median: percentile(sorted, 50), p99: percentile(sorted, 99), mean: sorted.reduce((a, b) => a + b, 0) / sorted.length });
          }
        });
      }
    });
  } finally {
    await throughGateway.close();
    await gateway.close();
    await direct.close();
    await clientConnection.close();
    await database.db.delete(organizations).where(eq(organizations.id, org!.id));
    await database.close();
  }
  const [before, after] = rows;
  console.log(`\nActivity task round trip (scheduled → completed), ${count} sequential tasks, ${payloadBytes}-byte argument and result`);
  console.log('| path | median ms | p99 ms | mean ms |\n|---|---|---|---|');
  for (const row of rows) console.log(`| ${row.path} | ${row.median.toFixed(1)} | ${row.p99.toFixed(1)} | ${row.mean.toFixed(1)} |`);
  if (before && after) console.log(`\nAdded by the gateway: median ${(after.median - before.median).toFixed(1)} ms, p99 ${(after.p99 - before.p99).toFixed(1)} ms`);
}
