import { and, eq } from 'drizzle-orm';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { notificationChannels, notificationDeliveries, type NotificationMessage } from '../../../lib/db/schema/index.js';
import { readChannelSecret } from '../../../lib/db/notification-secrets.js';
import { organizationWorkflowId } from '../../../lib/common/temporal/names.js';
import type { EndpointNetworks } from '../../../lib/common/storage-access/endpoints.js';
import { retryDelayMs, type AttemptOutcome, type DeliveryRef, type DeliveryRetry } from '../../../lib/domain/notifications.js';
import { WORKFLOW_TYPES } from '../../../lib/domain/runs/workflow-types.js';
import type { ControlDeps } from '../deps.js';
import { sendMail } from './email.js';
import { sendWebhook, type SendResult } from './webhook.js';

/** How the worker sends notifications (HAVEN_NOTIFICATION_*, read once at start). */
export interface NotificationSettings {
  networks: EndpointNetworks;
  retry: DeliveryRetry;
  /** Bounds one webhook request or SMTP exchange. */
  sendTimeoutMs: number;
  /** The control queue the delivery workflows run on. */
  taskQueue: string;
}

/** One connection's worth: a receiver that cannot answer in this long is retried later. */
export const DEFAULT_SEND_TIMEOUT_MS = 10_000;

export function deliveryWorkflowId(ref: DeliveryRef): string {
  return organizationWorkflowId(ref.orgId, `notification-${ref.deliveryId}`);
}

/** Starts one delivery workflow per delivery; starting one that exists is a no-op, so calls may repeat. */
export async function dispatchDeliveries(deps: ControlDeps, settings: NotificationSettings, orgId: string, deliveryIds: readonly string[]): Promise<void> {
  for (const deliveryId of deliveryIds) {
    const ref = { orgId, deliveryId };
    try {
      await deps.temporal.client.workflow.start(WORKFLOW_TYPES.notificationDelivery, { workflowId: deliveryWorkflowId(ref), taskQueue: settings.taskQueue, args: [ref] });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
  }
}

function mailOf(message: NotificationMessage): { subject: string; text: string } {
  const { job } = message;
  const what = `${job.kind.toLowerCase().replaceAll('_', ' ')} "${job.definitionName}"`;
  const subject = message.event === 'RECOVERED' ? `[Haven] ${what} recovered` : `[Haven] ${what} ${job.status}`;
  const lines = [
    `${what} ended ${job.status}${message.event === 'RECOVERED' ? ', after a failed or partial run' : ''}.`,
    '',
    job.message,
    ...(job.skipReason ? [`Skip reason: ${job.skipReason}`] : []),
    '',
    `Job: ${job.id}`,
    `Started: ${job.startedAt}`,
    `Ended: ${job.endedAt}`,
  ];
  return { subject, text: lines.join('\n') };
}

export function notificationActivities(deps: ControlDeps) {
  return {
    /**
     * One attempt of one delivery; records it in the delivery log. Answers when to try again, or nothing
     * when the delivery is settled. The channel's secret is read here and never leaves the activity.
     */
    async attemptNotificationDelivery(ref: DeliveryRef): Promise<AttemptOutcome> {
      const settings = deps.notifications;
      if (!settings) throw new Error('this worker has no notification settings');
      const [delivery] = await deps.db
        .select()
        .from(notificationDeliveries)
        .where(and(eq(notificationDeliveries.orgId, ref.orgId), eq(notificationDeliveries.id, ref.deliveryId)));
      if (!delivery || delivery.status !== 'PENDING') return {};
      const [channel] = await deps.db
        .select()
        .from(notificationChannels)
        .where(and(eq(notificationChannels.orgId, ref.orgId), eq(notificationChannels.id, delivery.channelId)));
      let result: SendResult;
      if (!channel?.enabled) {
        result = { ok: false, error: 'the channel was disabled before the notification went out' };
      } else if ('url' in channel.config) {
        const body = JSON.stringify({ deliveryId: delivery.id, ...delivery.message });
        const secret = readChannelSecret(deps.keyring, channel) ?? '';
        result = await sendWebhook(settings.networks, { url: channel.config.url, secret, body, event: delivery.event, deliveryId: delivery.id, now: deps.clock(), timeoutMs: settings.sendTimeoutMs });
      } else {
        const { host, port, security, username, from, to } = channel.config;
        const smtp = { host, port, security, username, password: readChannelSecret(deps.keyring, channel) };
        result = await sendMail(settings.networks, smtp, { from, to, ...mailOf(delivery.message) }, settings.sendTimeoutMs);
      }
      const attempts = delivery.attempts + 1;
      const retryInMs = result.ok || !channel?.enabled ? undefined : retryDelayMs(settings.retry, attempts);
      const now = deps.clock();
      await deps.db
        .update(notificationDeliveries)
        .set({
          attempts,
          lastAttemptAt: now,
          responseStatus: result.responseStatus ?? null,
          lastError: result.ok ? null : (result.error ?? 'failed'),
          status: result.ok ? 'DELIVERED' : retryInMs === undefined ? 'FAILED' : 'PENDING',
          ...(result.ok ? { deliveredAt: now } : {}),
        })
        .where(and(eq(notificationDeliveries.orgId, ref.orgId), eq(notificationDeliveries.id, ref.deliveryId)));
      return retryInMs === undefined ? {} : { retryInMs };
    },
  };
}
