import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { stackEnv, uniqueName } from '../support/stack-env.js';
import * as activities from './fixtures/echo-activities.js';

describe('temporal dev server from the local stack', () => {
  it('runs a workflow with one activity and returns its history', async () => {
    const address = stackEnv('TEMPORAL_ADDRESS');
    const taskQueue = uniqueName('smoke');
    const nativeConnection = await NativeConnection.connect({ address });
    const worker = await Worker.create({
      connection: nativeConnection,
      taskQueue,
      workflowsPath: fileURLToPath(new URL('./fixtures/echo-workflow.ts', import.meta.url)),
      activities,
    });
    const connection = await Connection.connect({ address });
    const client = new Client({ connection });
    try {
      const workflowId = uniqueName('echo');
      const result = await worker.runUntil(
        client.workflow.execute('echoWorkflow', { taskQueue, workflowId, args: ['haven'] }),
      );
      expect(result).toBe('HAVEN!');

      const history = await client.workflow.getHandle(workflowId).fetchHistory();
      const { EventType } = temporal.api.enums.v1;
      const eventTypes = (history.events ?? []).map((e) => e.eventType);
      expect(eventTypes[0]).toBe(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED);
      expect(eventTypes).toContain(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED);
      expect(eventTypes.at(-1)).toBe(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);

      // The search attributes Haven uses to find runs were registered when the server started.
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
      expect(Object.keys(customAttributes ?? {})).toEqual(expect.arrayContaining(['HavenClusterId', 'HavenDefinitionId', 'HavenKind']));
    } finally {
      await connection.close();
      await nativeConnection.close();
    }
  });
});
