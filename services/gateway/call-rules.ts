import proto from '@temporalio/proto';
import type { SecretKeyring } from '../../lib/common/secrets.js';
import { gatewayPollerIdentity } from '../../lib/common/temporal/names.js';
import { unwrapTaskToken, wrapTaskToken } from '../../lib/cluster-access/task-token.js';
import type { PayloadGuard } from './payload-guard.js';
import type { Principal } from './principals.js';

// A CommonJS package: Node's ESM loader cannot see its named exports.
const { temporal } = proto;
const service = temporal.api.workflowservice.v1;

/** A refused call: answered with PERMISSION_DENIED and this reason. */
export class CallRefused extends Error {
  override name = 'CallRefused';
}

/** What the gateway needs to judge a call: its configuration and the caller. */
export interface CallContext {
  namespace: string;
  installationKeyring: SecretKeyring;
  payloads: PayloadGuard;
  principal: Principal;
}

/**
 * One allowed method: how its request is checked and rewritten on the way in, and its response on the
 * way out. Requests and responses are Temporal's protobuf bytes; anything not listed here is refused.
 */
export interface CallRule {
  request(bytes: Buffer, context: CallContext): Promise<Buffer>;
  response?(bytes: Buffer, context: CallContext): Promise<Buffer>;
}

function sameNamespace(namespace: string | null | undefined, context: CallContext): void {
  if (namespace !== context.namespace) throw new CallRefused(`namespace "${namespace ?? ''}" is not this installation's`);
}

/** The server's token of a task this principal was handed; refused for any other token. */
function serverTaskToken(wrapped: Uint8Array | null | undefined, context: CallContext): Buffer {
  const token = wrapped && unwrapTaskToken(context.installationKeyring, context.principal.name, wrapped);
  if (!token) throw new CallRefused(`the task token was not handed to ${context.principal.name}`);
  return token;
}

const encode = <T>(type: { encode(message: T): { finish(): Uint8Array } }, message: T) => Buffer.from(type.encode(message).finish());

/** Every call a principal answers is recorded under its own name, whatever identity it claims. */
const identityOf = (context: CallContext, claimed: string | null | undefined) => gatewayPollerIdentity(context.principal.name, claimed ?? '');

/**
 * What a cluster's agent or a mover pod may call: what the SDK's worker needs to start, polling its own
 * activity queue, and answering the tasks it was handed. Starting, signalling, querying, terminating
 * and listing workflows, histories, schedules, other queues and the ById forms of the answers (which
 * name a task by workflow and activity id instead of the token) are not here, so they are refused.
 * Each allowed request is rebuilt from the fields it needs, so nothing else a caller sets (worker
 * deployments, routing keys, another identity) reaches Temporal.
 */
export const CALL_RULES: Readonly<Record<string, CallRule>> = {
  GetSystemInfo: { request: async () => encode(service.GetSystemInfoRequest, {}) },
  DescribeNamespace: {
    async request(bytes, context) {
      const request = service.DescribeNamespaceRequest.decode(bytes);
      sameNamespace(request.namespace, context);
      if (request.id) throw new CallRefused('namespaces are described by name only');
      return encode(service.DescribeNamespaceRequest, { namespace: context.namespace });
    },
    // The worker needs the namespace's name, id, state and capabilities; not its owner, data or archival.
    async response(bytes) {
      const response = service.DescribeNamespaceResponse.decode(bytes);
      const info = response.namespaceInfo;
      return encode(service.DescribeNamespaceResponse, {
        namespaceInfo: info ? { name: info.name, id: info.id, state: info.state, capabilities: info.capabilities, supportsSchedules: info.supportsSchedules } : null,
        isGlobalNamespace: response.isGlobalNamespace,
      });
    },
  },
  PollActivityTaskQueue: {
    async request(bytes, context) {
      const request = service.PollActivityTaskQueueRequest.decode(bytes);
      sameNamespace(request.namespace, context);
      if (request.taskQueue?.name !== context.principal.taskQueue) {
        throw new CallRefused(`${context.principal.name} may poll only ${context.principal.taskQueue}, not "${request.taskQueue?.name ?? ''}"`);
      }
      if (request.taskQueue.kind === temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_STICKY) throw new CallRefused('sticky queues are not served');
      return encode(service.PollActivityTaskQueueRequest, {
        namespace: context.namespace,
        taskQueue: { name: context.principal.taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
        identity: identityOf(context, request.identity),
      });
    },
    async response(bytes, context) {
      const response = service.PollActivityTaskQueueResponse.decode(bytes);
      if (!response.taskToken || response.taskToken.length === 0) return bytes;
      await context.payloads.openTask(response, context);
      response.taskToken = wrapTaskToken(context.installationKeyring, context.principal.name, response.taskToken);
      return encode(service.PollActivityTaskQueueResponse, response);
    },
  },
  // The SDK tells the server its worker stops. Only the principal's own queue, never a sticky one
  // (activity workers have none), so it cannot end another worker's sticky queue.
  ShutdownWorker: {
    async request(bytes, context) {
      const request = service.ShutdownWorkerRequest.decode(bytes);
      sameNamespace(request.namespace, context);
      if (request.stickyTaskQueue) throw new CallRefused('sticky queues are not served');
      if (request.taskQueue && request.taskQueue !== context.principal.taskQueue) throw new CallRefused(`${context.principal.name} may only stop its worker on ${context.principal.taskQueue}`);
      return encode(service.ShutdownWorkerRequest, { namespace: context.namespace, identity: identityOf(context, request.identity), reason: request.reason ?? '' });
    },
  },
  RecordActivityTaskHeartbeat: {
    async request(bytes, context) {
      const request = service.RecordActivityTaskHeartbeatRequest.decode(bytes);
      sameNamespace(request.namespace, context);
      const details = request.details ? await context.payloads.sealAll(request.details, context) : null;
      return encode(service.RecordActivityTaskHeartbeatRequest, { namespace: context.namespace, taskToken: serverTaskToken(request.taskToken, context), details, identity: identityOf(context, request.identity) });
    },
  },
  RespondActivityTaskCompleted: {
    async request(bytes, context) {
      const request = service.RespondActivityTaskCompletedRequest.decode(bytes);
      sameNamespace(request.namespace, context);
      const result = request.result ? await context.payloads.sealAll(request.result, context) : null;
      return encode(service.RespondActivityTaskCompletedRequest, { namespace: context.namespace, taskToken: serverTaskToken(request.taskToken, context), result, identity: identityOf(context, request.identity) });
    },
  },
  RespondActivityTaskFailed: {
    async request(bytes, context) {
      const request = service.RespondActivityTaskFailedRequest.decode(bytes);
      sameNamespace(request.namespace, context);
      const taskToken = serverTaskToken(request.taskToken, context);
      const failure = request.failure ? await context.payloads.sealFailure(request.failure, context) : null;
      const lastHeartbeatDetails = request.lastHeartbeatDetails ? await context.payloads.sealAll(request.lastHeartbeatDetails, context) : null;
      return encode(service.RespondActivityTaskFailedRequest, { namespace: context.namespace, taskToken, failure, lastHeartbeatDetails, identity: identityOf(context, request.identity) });
    },
  },
  RespondActivityTaskCanceled: {
    async request(bytes, context) {
      const request = service.RespondActivityTaskCanceledRequest.decode(bytes);
      sameNamespace(request.namespace, context);
      const details = request.details ? await context.payloads.sealAll(request.details, context) : null;
      return encode(service.RespondActivityTaskCanceledRequest, { namespace: context.namespace, taskToken: serverTaskToken(request.taskToken, context), details, identity: identityOf(context, request.identity) });
    },
  },
};
