import { and, desc, eq, inArray, ne } from 'drizzle-orm';
import type { Executor } from '../../../lib/db/client.js';
import { definitions, jobs, notificationChannels, notificationDeliveries, type NotificationMessage } from '../../../lib/db/schema/index.js';
import { HEALTH_STATUSES, notificationEventOf } from '../../../lib/domain/notifications.js';
import type { EndedJob } from '../job-metrics.js';

/** The run before this one of the same definition that did work, or undefined. */
async function previousHealth(tx: Executor, job: EndedJob): Promise<EndedJob['status'] | undefined> {
  if (!job.definitionId) return undefined;
  const [row] = await tx
    .select({ status: jobs.status })
    .from(jobs)
    .where(and(eq(jobs.orgId, job.orgId), eq(jobs.definitionId, job.definitionId), eq(jobs.kind, job.kind), ne(jobs.id, job.jobId), inArray(jobs.status, [...HEALTH_STATUSES])))
    .orderBy(desc(jobs.endedAt))
    .limit(1);
  return row?.status as EndedJob['status'] | undefined;
}

async function optedOut(tx: Executor, job: EndedJob): Promise<boolean> {
  if (!job.definitionId) return false;
  const [row] = await tx
    .select({ notifications: definitions.notifications })
    .from(definitions)
    .where(and(eq(definitions.orgId, job.orgId), eq(definitions.id, job.definitionId)));
  return row?.notifications.optOut ?? false;
}

/**
 * Queues one delivery per channel of the job's organization that wants the job's event, inside the
 * transaction that ends the job: the end and its notifications commit together.
 */
export async function enqueueJobNotifications(tx: Executor, job: EndedJob, ended: { message: string; skipReason: string | null }): Promise<void> {
  const event = notificationEventOf(job.status, await previousHealth(tx, job));
  if (!event || (await optedOut(tx, job))) return;
  const channels = await tx
    .select({ id: notificationChannels.id, events: notificationChannels.events })
    .from(notificationChannels)
    .where(and(eq(notificationChannels.orgId, job.orgId), eq(notificationChannels.enabled, true)));
  const wanted = channels.filter((channel) => channel.events.includes(event));
  if (wanted.length === 0) return;
  const message: NotificationMessage = {
    event,
    organizationId: job.orgId,
    job: {
      id: job.jobId,
      kind: job.kind,
      status: job.status,
      definitionId: job.definitionId,
      definitionName: job.definitionName,
      message: ended.message,
      skipReason: ended.skipReason,
      startedAt: job.startedAt.toISOString(),
      endedAt: job.endedAt.toISOString(),
    },
  };
  await tx
    .insert(notificationDeliveries)
    .values(wanted.map((channel) => ({ orgId: job.orgId, channelId: channel.id, jobId: job.jobId, event, message })))
    .onConflictDoNothing();
}

/** The deliveries of a job still to send: queued by the call that ended it, or left by one that failed after. */
export async function pendingDeliveriesOf(db: Executor, orgId: string, jobId: string): Promise<string[]> {
  const rows = await db
    .select({ id: notificationDeliveries.id })
    .from(notificationDeliveries)
    .where(and(eq(notificationDeliveries.orgId, orgId), eq(notificationDeliveries.jobId, jobId), eq(notificationDeliveries.status, 'PENDING')));
  return rows.map((row) => row.id);
}
