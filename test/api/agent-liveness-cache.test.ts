import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import type { MockInstance } from 'vitest';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { generateKeyEntry } from '../../lib/common/secrets.js';
import { OrganizationPayloadKeys } from '../../lib/db/organization-payload-keys.js';
import { clusterPrincipal, clusterTaskQueue, gatewayPollerIdentity } from '../../lib/common/temporal/names.js';
import { CachedAgentLiveness, LIVENESS_CACHE_TTL_MS } from '../../services/api/seams/cached-agent-liveness.js';
import { TemporalAgentLiveness } from '../../services/api/seams/temporal-agent-liveness.js';
import { connectWorkflowEngine } from '../../services/api/seams/workflow-engine.js';
import { stackEnv, uniqueName } from '../support/stack-env.js';
import { createCluster, expectStatus } from './helpers/fixtures.js';
import { authorized, startTestApi, type TestApi } from './helpers/test-api.js';

const { temporal } = proto;
const NAMESPACE = 'default';

let connection: Connection;
let client: Client;
/** Counts the DescribeTaskQueue calls the client sends; each still goes to Temporal and returns its answer. */
let describeTaskQueue: MockInstance;
/** A cluster whose queue had a poll as the gateway makes it for the cluster's agent. */
const polled = randomUUID();
let now = Date.parse('2025-06-01T00:00:00Z');
const clock = { now: () => new Date(now) };

beforeAll(async () => {
  connection = await Connection.connect({ address: stackEnv('TEMPORAL_ADDRESS') });
  client = new Client({ connection, namespace: NAMESPACE });
  describeTaskQueue = vi.spyOn(client.workflowService, 'describeTaskQueue');
  // A long poll as the gateway makes it for the cluster's agent (nothing is queued, so it waits), ended
  // once Temporal lists it among the queue's pollers.
  const stop = new AbortController();
  // Temporal refuses long polls without a deadline of at least a few seconds.
  const poll = connection
    .withDeadline(Date.now() + 60_000, () =>
      connection.withAbortSignal(stop.signal, () =>
        client.workflowService.pollActivityTaskQueue({
          namespace: NAMESPACE,
          taskQueue: { name: clusterTaskQueue(polled), kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
          identity: gatewayPollerIdentity(clusterPrincipal(polled), 'liveness-cache-test'),
        }),
      ),
    )
    .catch(() => undefined);
  const probe = new TemporalAgentLiveness(client, NAMESPACE);
  while (!(await probe.lastPollTimes([polled])).has(polled)) await new Promise((resolve) => setTimeout(resolve, 50));
  stop.abort();
  await poll;
});
afterAll(() => connection?.close());
beforeEach(() => {
  describeTaskQueue.mockClear();
});

describe('cached agent liveness over Temporal', () => {
  it('answers repeated reads within the TTL from one DescribeTaskQueue per cluster, then asks again', async () => {
    const silent = randomUUID();
    const liveness = new CachedAgentLiveness(new TemporalAgentLiveness(client, NAMESPACE), clock);
    const first = await liveness.lastPollTimes([polled, silent]);
    expect(first.get(polled)).toBeInstanceOf(Date);
    expect(first.has(silent)).toBe(false);
    expect(describeTaskQueue).toHaveBeenCalledTimes(2);

    for (let i = 0; i < 5; i++) {
      now += LIVENESS_CACHE_TTL_MS / 10;
      expect(await liveness.lastPollTimes([polled, silent])).toEqual(first);
    }
    expect(describeTaskQueue).toHaveBeenCalledTimes(2);

    now += LIVENESS_CACHE_TTL_MS;
    // Read afresh: Temporal may have recorded the poll's end since.
    expect((await liveness.lastPollTimes([polled])).get(polled)!.getTime()).toBeGreaterThanOrEqual(first.get(polled)!.getTime());
    expect(describeTaskQueue).toHaveBeenCalledTimes(3);
  });

  it('shares a lookup in flight among concurrent reads', async () => {
    const liveness = new CachedAgentLiveness(new TemporalAgentLiveness(client, NAMESPACE), clock);
    const answers = await Promise.all(Array.from({ length: 10 }, () => liveness.lastPollTimes([polled])));
    expect(new Set(answers.map((answer) => answer.get(polled)?.getTime())).size).toBe(1);
    expect(describeTaskQueue).toHaveBeenCalledTimes(1);
  });

  it('remembers a bounded number of clusters, forgetting the oldest lookups first', async () => {
    const liveness = new CachedAgentLiveness(new TemporalAgentLiveness(client, NAMESPACE), clock, LIVENESS_CACHE_TTL_MS, 2);
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    for (const id of [a, b, c]) await liveness.lastPollTimes([id]);
    expect(describeTaskQueue).toHaveBeenCalledTimes(3);
    await liveness.lastPollTimes([b, c]);
    expect(describeTaskQueue).toHaveBeenCalledTimes(3);
    await liveness.lastPollTimes([a]);
    expect(describeTaskQueue).toHaveBeenCalledTimes(4);
  });
});

describe('the API', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ clock, liveness: new CachedAgentLiveness(new TemporalAgentLiveness(client, NAMESPACE), clock) });
  });
  afterAll(() => api?.close());

  it('lists and reads clusters in a loop with one liveness lookup per cluster per TTL', async () => {
    const org = await api.createOrganization();
    const admin = authorized(api.app, org.keys.admin);
    const clusters = [await createCluster(admin), await createCluster(admin)];
    now += LIVENESS_CACHE_TTL_MS;
    describeTaskQueue.mockClear();
    const viewer = authorized(api.app, org.keys.viewer);
    for (let i = 0; i < 10; i++) {
      expect(expectStatus<{ items: { status: string }[] }>(await viewer.get('/clusters'), 200).items.map((item) => item.status)).toEqual(['PENDING', 'PENDING']);
      expectStatus(await viewer.get(`/clusters/${clusters[0]!.id}`), 200);
    }
    expect(describeTaskQueue).toHaveBeenCalledTimes(2);
  });

  it('is what the workflow engine hands the API', async () => {
    const withEngine = await startTestApi({
      env: { TEMPORAL_ADDRESS: stackEnv('TEMPORAL_ADDRESS'), HAVEN_PAYLOAD_KEY: generateKeyEntry('p1'), HAVEN_CONTROL_TASK_QUEUE: uniqueName('liveness-cache') },
    });
    try {
      const config = withEngine.config.workflowEngine!;
      const engine = connectWorkflowEngine(config, new OrganizationPayloadKeys(withEngine.running.database.db, config.payloadKeyring), clock);
      await engine.close();
      expect(engine.liveness).toBeInstanceOf(CachedAgentLiveness);
    } finally {
      await withEngine.close();
    }
  });
});
