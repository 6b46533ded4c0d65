import { sharedWorkflowBundle } from '../../support/workflow-bundle.js';
import { Context } from '@temporalio/activity';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, defaultPayloadConverter, type Workflow } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { CLUSTER_ID_ATTRIBUTE, DEFINITION_ID_ATTRIBUTE, KIND_ATTRIBUTE } from '../../../lib/common/temporal/names.js';
import type { WORKFLOW_TYPES } from '../../../lib/domain/runs/workflow-types.js';
import { cachedTemporalCli } from '../../../scripts/stack/components/temporal.js';
import { recordHistories } from './history-recorder.js';

/**
 * Workflow step logic in seconds: the real workflows (bundled from workflows/index.ts) on a Temporal dev
 * server of their own, every activity mocked. The server is the Temporal CLI the stack builds into its
 * cache (nothing is downloaded; the time-skipping test server cannot be fetched here, and the mocks
 * answer at once anyway). One server, bundle and set of workers per test file; runs are sequential.
 */

type WorkflowType = (typeof WORKFLOW_TYPES)[keyof typeof WORKFLOW_TYPES];

/** The queue the workflows and the control activities share, as on the real worker. */
export const CONTROL_QUEUE = 'control';

/** Mocks for one queue, by activity name, typed against the real activity interface: a test implements only what its run reaches. */
export type Mocks<T> = { [K in keyof T]?: T[K] };

/** Each queue's mocks: `CONTROL_QUEUE`, `clusterTaskQueue(id)`, a mover pod's `moverTaskQueue(...)`. */
export type QueueMocks = Record<string, object>;

export interface ActivityCall {
  queue: string;
  name: string;
  /** The activity's (only) argument, as the workflow sent it. */
  input: unknown;
  /** 1 for the first attempt. */
  attempt: number;
}

/** What an activity no mock answers fails with: at once (no retry), naming itself. */
export const UNMOCKED_ACTIVITY = 'UNMOCKED_ACTIVITY';

export interface RunResult<R> {
  workflowId: string;
  /** The workflow's return value, when it completed. */
  result?: R;
  /** Why it failed, when it did: the workflow's own ApplicationFailure is `failure.cause`. */
  failure?: WorkflowFailedError;
  /** Every activity call of the run and its children, in the order the workers received them. */
  calls: ActivityCall[];
}

export interface WorkflowHarness {
  client: Client;
  /** Runs one workflow (and its children) to its end, every activity answered by `mocks`. */
  run<W extends Workflow>(type: WorkflowType, args: Parameters<W>, mocks: QueueMocks, workflowId?: string): Promise<RunResult<Awaited<ReturnType<W>>>>;
  /**
   * Serves `queue` with `mocks` from now on, during a run: what a mover pod does when it starts. Runs
   * with hundreds of copies start each pod's queue this way and `dropQueue` it when the pod is deleted,
   * so no more workers poll at once than pods run (the dev server bounds its pollers).
   */
  addQueue(queue: string, mocks: object): Promise<void>;
  dropQueue(queue: string): Promise<void>;
  /** The argument a workflow (a child, say) was started with, read from its history. */
  startInput<T>(workflowId: string): Promise<T>;
  close(): Promise<void>;
}

let runs = 0;

/** Starts the dev server, bundles the workflows and starts the control queue's worker: once per test file (`beforeAll`). */
export async function startWorkflowHarness(): Promise<WorkflowHarness> {
  const cli = cachedTemporalCli();
  if (!cli.built) throw new Error(`no Temporal CLI at ${cli.path}: build it once with \`npm run stack -- up\` (workflow tests run its dev server)`);
  try {
    // Activity failures the tests cause on purpose would otherwise be logged as warnings.
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // A runtime already exists in this process (another file ran here first): keep it.
  }
  const [env, bundle] = await Promise.all([
    TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: cli.path },
        ip: '127.0.0.1',
        log: { format: 'pretty', level: 'error' },
        // Replication starts its phases with these, as the stack's server registers them.
        searchAttributes: [CLUSTER_ID_ATTRIBUTE, DEFINITION_ID_ATTRIBUTE, KIND_ATTRIBUTE],
      },
    }),
    sharedWorkflowBundle(),
  ]);

  let current: { mocks: QueueMocks; calls: ActivityCall[] } | undefined;
  /** Every activity lands here (the workers' `default` activity): the current run's mock for it on this queue. */
  const dispatch = async (queue: string, input: unknown): Promise<unknown> => {
    const { activityType: name, attempt } = Context.current().info;
    current?.calls.push({ queue, name, input, attempt });
    const mock = (current?.mocks[queue] as Record<string, ((input: unknown) => unknown) | undefined> | undefined)?.[name];
    if (!mock) throw ApplicationFailure.nonRetryable(`no mock for activity ${name} on queue ${queue}`, UNMOCKED_ACTIVITY);
    return mock(input);
  };

  // A worker per queue, created when a run first names the queue and kept until `close`.
  const workers = new Map<string, Promise<{ worker: Worker; running: Promise<void> }>>();
  const serve = async (queue: string) => {
    if (workers.has(queue)) return;
    const created = Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue: queue,
      activities: { default: (input: unknown) => dispatch(queue, input) },
      ...(queue === CONTROL_QUEUE ? { workflowBundle: bundle } : {}),
    }).then((worker) => ({ worker, running: worker.run() }));
    workers.set(queue, created);
    await created;
  };
  await serve(CONTROL_QUEUE);

  async function run<W extends Workflow>(type: WorkflowType, args: Parameters<W>, mocks: QueueMocks, workflowId = `${type}-${++runs}-${Date.now().toString(36)}`) {
    if (current) throw new Error('one workflow run at a time per harness');
    await Promise.all(Object.keys(mocks).map(serve));
    const calls: ActivityCall[] = [];
    current = { mocks, calls };
    try {
      const result = (await env.client.workflow.execute(type, { taskQueue: CONTROL_QUEUE, workflowId, args: args as unknown[] })) as Awaited<ReturnType<W>>;
      await recordHistories(env.client, workflowId);
      return { workflowId, calls, result };
    } catch (error) {
      if (!(error instanceof WorkflowFailedError)) throw error;
      await recordHistories(env.client, workflowId);
      return { workflowId, calls, failure: error };
    } finally {
      current = undefined;
    }
  }

  async function addQueue(queue: string, mocks: object) {
    if (!current) throw new Error('queues are added during a run');
    current.mocks[queue] = mocks;
    await serve(queue);
  }

  async function dropQueue(queue: string) {
    const served = workers.get(queue);
    if (!served) return;
    workers.delete(queue);
    const { worker, running } = await served;
    worker.shutdown();
    await running;
  }

  async function close() {
    const served = await Promise.all(workers.values());
    for (const { worker } of served) worker.shutdown();
    await Promise.allSettled(served.map((w) => w.running));
    await env.teardown();
  }

  async function startInput<T>(workflowId: string): Promise<T> {
    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    if (!payload) throw new Error(`workflow ${workflowId} has no start input`);
    return defaultPayloadConverter.fromPayload<T>(payload);
  }

  return { client: env.client, run, addQueue, dropQueue, startInput, close };
}

/** The inputs of every call of one activity, typed as the test knows them. */
export function inputsOf<T>(calls: readonly ActivityCall[], name: string): T[] {
  return calls.filter((c) => c.name === name).map((c) => c.input as T);
}

/** The message of the workflow's own failure (what its job records). */
export function failureMessage(failure: WorkflowFailedError | undefined): string | undefined {
  return failure?.cause?.message;
}

/** The type of the workflow's own ApplicationFailure, e.g. BACKUP_FAILED. */
export function failureType(failure: WorkflowFailedError | undefined): string | undefined {
  const cause = failure?.cause;
  return cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined;
}
