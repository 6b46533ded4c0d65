import type { Payload } from '@temporalio/common';
import proto from '@temporalio/proto';
import { organizationOfWorkflowId } from '../../lib/common/temporal/names.js';
import { isSealed, openPayload, sealedKeyId, sealPayload } from '../../lib/common/temporal/payload-codec.js';
import { organizationOfKeyId, type OrganizationPayloadKeys } from '../../lib/db/organization-payload-keys.js';
import { CallRefused, type CallContext } from './call-rules.js';

const { temporal } = proto;
type Payloads = proto.temporal.api.common.v1.IPayloads;
type Failure = proto.temporal.api.failure.v1.IFailure;
type ActivityTask = proto.temporal.api.workflowservice.v1.IPollActivityTaskQueueResponse;

/** A task the gateway will not hand to the principal that polled it; the gateway fails it instead. */
export class TaskRefused extends Error {
  override name = 'TaskRefused';
}

/** What the SDK's failure converter writes when it moves a failure's message into its attributes. */
const ENCODED_FAILURE_MESSAGE = 'Encoded failure';

/**
 * Clusters hold no payload key. The gateway opens the payloads of a task it hands to a cluster (only
 * those sealed with the cluster's own organization's key) and seals what the cluster sends back with
 * that key, so Temporal keeps nothing from a cluster in clear and a cluster never sees a key. A
 * payload a cluster sends already sealed is refused: it could name another organization's key.
 */
export class PayloadGuard {
  constructor(private readonly keys: OrganizationPayloadKeys) {}

  /** Opens a polled task's payloads in place; TaskRefused when the task is not the principal's organization's. */
  async openTask(task: ActivityTask, context: CallContext): Promise<void> {
    const orgId = context.principal.orgId;
    if (organizationOfWorkflowId(task.workflowExecution?.workflowId) !== orgId) {
      throw new TaskRefused(`activity ${task.activityType?.name ?? ''} of workflow ${task.workflowExecution?.workflowId ?? ''} does not belong to the organization of ${context.principal.name}`);
    }
    const open = async (payload: Payload): Promise<Payload> => {
      if (!isSealed(payload)) return payload;
      const keyId = sealedKeyId(payload);
      const key = organizationOfKeyId(keyId) === orgId ? await this.keys.decryptionKey(keyId) : undefined;
      if (!key) throw new TaskRefused(`a payload of workflow ${task.workflowExecution?.workflowId ?? ''} is sealed with key "${keyId}", not a key of the task's organization`);
      return openPayload(payload, key);
    };
    for (const payloads of [task.input, task.heartbeatDetails]) {
      if (payloads?.payloads) payloads.payloads = await Promise.all(payloads.payloads.map(open));
    }
    for (const [name, payload] of Object.entries(task.header?.fields ?? {})) task.header!.fields![name] = await open(payload);
  }

  /** Seals every payload with the principal's organization's key, in place. */
  async sealAll(payloads: Payloads, context: CallContext): Promise<void> {
    if (!payloads.payloads?.length) return;
    const key = await this.keys.organizationKey(context.principal.orgId);
    payloads.payloads = payloads.payloads.map((payload) => {
      if (isSealed(payload)) throw new CallRefused('payloads from a cluster must not be sealed: the gateway seals them');
      return sealPayload(payload, key);
    });
  }

  /**
   * Moves each failure's message and stack trace into its encoded attributes (as the SDK does with
   * `encodeCommonAttributes`) and seals them with its details: a hook's stderr or an error naming a
   * credential never reaches the history in clear. Causes are handled the same way.
   */
  async sealFailure(failure: Failure, context: CallContext): Promise<void> {
    for (let node: Failure | null | undefined = failure; node; node = node.cause) {
      if (node.encodedAttributes && isSealed(node.encodedAttributes)) throw new CallRefused('failure attributes from a cluster must not be sealed: the gateway seals them');
      const attributes = { message: node.message ?? '', stack_trace: node.stackTrace ?? '' };
      const plain = { metadata: { encoding: new TextEncoder().encode('json/plain') }, data: new TextEncoder().encode(JSON.stringify(attributes)) };
      const holder = { payloads: [plain] };
      await this.sealAll(holder, context);
      node.encodedAttributes = holder.payloads[0]!;
      node.message = ENCODED_FAILURE_MESSAGE;
      node.stackTrace = '';
      for (const details of [node.applicationFailureInfo?.details, node.canceledFailureInfo?.details, node.timeoutFailureInfo?.lastHeartbeatDetails]) {
        if (details) await this.sealAll(details, context);
      }
    }
  }
}

/** The failure the gateway records for a task it refused to hand over: non-retryable, with why. */
export function refusedTaskFailure(reason: string): Failure {
  return temporal.api.failure.v1.Failure.create({
    message: reason,
    source: 'haven-gateway',
    applicationFailureInfo: { type: 'TASK_REFUSED_BY_GATEWAY', nonRetryable: true },
  });
}
