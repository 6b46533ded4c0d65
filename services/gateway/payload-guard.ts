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
/** Deeper cause chains than any SDK builds are refused rather than walked. */
const MAX_FAILURE_DEPTH = 32;

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

  /** Every payload sealed with the principal's organization's key. */
  async sealAll(payloads: Payloads, context: CallContext): Promise<Payloads> {
    if (!payloads.payloads?.length) return { payloads: [] };
    const key = await this.keys.organizationKey(context.principal.orgId);
    return {
      payloads: payloads.payloads.map((payload) => {
        if (isSealed(payload)) throw new CallRefused('payloads from a cluster must not be sealed: the gateway seals them');
        return sealPayload(payload, key);
      }),
    };
  }

  /**
   * The failure rebuilt from what a cluster may say: each level's message and stack trace move into its
   * encoded attributes (as the SDK does with `encodeCommonAttributes`), sealed with its details, so a
   * hook's stderr or an error naming a credential never reaches the history in clear. Only application,
   * cancellation and timeout failures pass (an activity raises nothing else); other kinds become
   * application failures, their fields dropped. Causes are rebuilt the same way.
   */
  async sealFailure(failure: Failure, context: CallContext, depth = 0): Promise<Failure> {
    if (depth > MAX_FAILURE_DEPTH) throw new CallRefused(`a failure may have at most ${MAX_FAILURE_DEPTH} causes`);
    if (failure.encodedAttributes && isSealed(failure.encodedAttributes)) throw new CallRefused('failure attributes from a cluster must not be sealed: the gateway seals them');
    const attributes = { message: failure.message ?? '', stack_trace: failure.stackTrace ?? '' };
    const [encodedAttributes] = (await this.sealAll({ payloads: [{ metadata: { encoding: new TextEncoder().encode('json/plain') }, data: new TextEncoder().encode(JSON.stringify(attributes)) }] }, context)).payloads!;
    const sealDetails = async (details: Payloads | null | undefined) => (details ? await this.sealAll(details, context) : null);
    const rebuilt: Failure = { message: ENCODED_FAILURE_MESSAGE, stackTrace: '', source: failure.source ?? '', encodedAttributes: encodedAttributes! };
    if (failure.canceledFailureInfo) rebuilt.canceledFailureInfo = { details: await sealDetails(failure.canceledFailureInfo.details) };
    else if (failure.timeoutFailureInfo) rebuilt.timeoutFailureInfo = { timeoutType: failure.timeoutFailureInfo.timeoutType ?? null, lastHeartbeatDetails: await sealDetails(failure.timeoutFailureInfo.lastHeartbeatDetails) };
    else {
      const info = failure.applicationFailureInfo;
      rebuilt.applicationFailureInfo = {
        type: info?.type ?? 'Error',
        nonRetryable: info?.nonRetryable ?? false,
        details: await sealDetails(info?.details),
        ...(info?.nextRetryDelay ? { nextRetryDelay: info.nextRetryDelay } : {}),
        ...(info?.category ? { category: info.category } : {}),
      };
    }
    if (failure.cause) rebuilt.cause = await this.sealFailure(failure.cause, context, depth + 1);
    return rebuilt;
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
