import { proxyActivities, sleep } from '@temporalio/workflow';
import type { ControlActivities } from '../activities/control/index.js';
import type { DeliveryRef } from '../lib/domain/notifications.js';
import { NOTIFICATION } from './activity-profiles.js';

const control = proxyActivities<ControlActivities>(NOTIFICATION);

/**
 * One notification to one channel: attempt → wait the back-off the attempt answered → attempt again, until
 * it is delivered or out of attempts. Apart from the job's own workflow, so a slow or dead endpoint never
 * holds a run (or, through "skip" overlap, the next scheduled one).
 */
export async function notificationDeliveryWorkflow(ref: DeliveryRef): Promise<void> {
  for (;;) {
    const outcome = await control.attemptNotificationDelivery(ref);
    if (outcome.retryInMs === undefined) return;
    await sleep(outcome.retryInMs);
  }
}
