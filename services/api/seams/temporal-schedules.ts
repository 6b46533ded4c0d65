import { Client, ScheduleNotFoundError, ScheduleOverlapPolicy, type ScheduleOptions } from '@temporalio/client';
import { decodeOptionalSinglePayload } from '@temporalio/common/lib/internal-non-workflow/codec-helpers.js';
import { havenDataConverter } from '../../../lib/common/temporal/data-converter.js';
import type { OrganizationPayloadKeys } from '../../../lib/db/organization-payload-keys.js';
import { CLUSTER_ID_ATTRIBUTE, DEFINITION_ID_ATTRIBUTE, KIND_ATTRIBUTE } from '../../../lib/common/temporal/names.js';
import type { ScheduledRunInput } from '../../../lib/domain/runs/scheduled-run.js';
import { SCHEDULE_ID_PATTERN, scheduledWorkflowIdPrefix, scheduleId, type DesiredSchedules } from './definition-schedules.js';
import { WORKFLOW_TYPES } from '../../../lib/domain/runs/workflow-types.js';

const PAUSED_NOTE = 'Paused in Haven: the definition is paused';
const RESUMED_NOTE = 'Resumed in Haven';

function isNotFound(error: unknown): boolean {
  return error instanceof ScheduleNotFoundError;
}

/**
 * Temporal Schedules for definitions with a policy. Temporal owns them (they fire while the API is
 * down); the API only makes them match the database, on every change and at start (reconcile).
 */
export class TemporalSchedules {
  constructor(
    private readonly client: Client,
    private readonly controlTaskQueue: string,
    private readonly payloadKeys?: OrganizationPayloadKeys,
  ) {}

  /**
   * Creating a schedule encodes its action's input without a workflow context, so the codec cannot tell
   * whose it is: an organization's schedules go through a client that seals with that organization's key.
   */
  private clientFor(orgId: string | undefined): Client {
    if (!orgId || !this.payloadKeys) return this.client;
    return new Client({ connection: this.client.connection, namespace: this.client.options.namespace, dataConverter: havenDataConverter(this.payloadKeys.forOrganization(orgId)) });
  }

  private options(desired: DesiredSchedules, index: number): ScheduleOptions {
    const entry = desired.entries[index]!;
    const input: ScheduledRunInput = {
      orgId: desired.orgId,
      definitionId: desired.definitionId,
      kind: desired.kind,
      retention: { days: entry.retentionDays, safeLock: entry.safeLock },
      ...(entry.rdsMode ? { rdsMode: entry.rdsMode } : {}),
    };
    return {
      scheduleId: scheduleId(desired.definitionId, index),
      spec: { cronExpressions: [entry.cron], timezone: desired.timeZone },
      action: {
        type: 'startWorkflow',
        workflowType: WORKFLOW_TYPES.scheduledRun,
        workflowId: scheduledWorkflowIdPrefix(desired),
        taskQueue: this.controlTaskQueue,
        args: [input],
        typedSearchAttributes: [
          ...(desired.clusterId ? [{ key: CLUSTER_ID_ATTRIBUTE, value: desired.clusterId }] : []),
          { key: DEFINITION_ID_ATTRIBUTE, value: desired.definitionId },
          { key: KIND_ATTRIBUTE, value: desired.kind },
        ],
      },
      memo: { orgId: desired.orgId },
      // A run still going when the next time comes makes that time a no-op, never a second run.
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
      state: { paused: desired.paused, note: desired.paused ? PAUSED_NOTE : RESUMED_NOTE },
    };
  }

  /** Creates, updates and deletes so Temporal holds exactly the desired schedules of one definition. */
  async sync(desired: DesiredSchedules): Promise<void> {
    for (const index of desired.entries.keys()) {
      const options = this.options(desired, index);
      const pausedNow = await this.put(options, desired.orgId);
      // The update carries the paused state, but pause/unpause also record why in the schedule's note.
      if (pausedNow !== undefined && pausedNow !== desired.paused) {
        const handle = this.client.schedule.getHandle(options.scheduleId);
        await (desired.paused ? handle.pause(PAUSED_NOTE) : handle.unpause(RESUMED_NOTE));
      }
    }
    // Ids are contiguous from 0, so the first missing one ends what a longer policy left behind.
    for (let index = desired.entries.length; await this.remove(scheduleId(desired.definitionId, index)); index += 1);
  }

  /** Creates the schedule, or makes an existing one match `options`; answers whether it was paused before (undefined: created). */
  async put(options: ScheduleOptions, orgId?: string): Promise<boolean | undefined> {
    const client = this.clientFor(orgId);
    const handle = client.schedule.getHandle(options.scheduleId);
    let pausedNow: boolean;
    try {
      pausedNow = (await handle.describe()).state.paused;
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await client.schedule.create(options);
      return undefined;
    }
    await handle.update(() => ({ spec: options.spec, action: options.action, policies: options.policies ?? {}, state: options.state ?? {} }));
    return pausedNow;
  }

  /** Deletes a schedule; false when there was none. */
  async remove(id: string): Promise<boolean> {
    try {
      await this.client.schedule.getHandle(id).delete();
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  /** Pauses or resumes every schedule of a definition; false when it has none. */
  async setPaused(definitionId: string, paused: boolean): Promise<boolean> {
    for (let index = 0; ; index += 1) {
      const handle = this.client.schedule.getHandle(scheduleId(definitionId, index));
      try {
        await (paused ? handle.pause(PAUSED_NOTE) : handle.unpause(RESUMED_NOTE));
      } catch (error) {
        if (isNotFound(error)) return index > 0;
        throw error;
      }
    }
  }

  /**
   * Haven's schedules in this namespace, by definition id, with the organization each was made for.
   * Listed raw and each memo opened on its own: a memo sealed with a key this installation does not hold
   * (another installation sharing the namespace, a removed organization) leaves its organization unknown,
   * which reconciling treats as not ours, instead of failing the whole list as the SDK's listing would.
   */
  async existing(): Promise<Map<string, { orgId: string | undefined }>> {
    const found = new Map<string, { orgId: string | undefined }>();
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await this.client.workflowService.listSchedules({ namespace: this.client.options.namespace, maximumPageSize: 500, nextPageToken });
      for (const entry of page.schedules ?? []) {
        const match = SCHEDULE_ID_PATTERN.exec(entry.scheduleId ?? '');
        if (match) found.set(match[1]!, { orgId: await this.memoOrgId(entry.memo?.fields?.orgId) });
      }
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
    return found;
  }

  private async memoOrgId(payload: Parameters<typeof decodeOptionalSinglePayload>[1]): Promise<string | undefined> {
    const orgId = await decodeOptionalSinglePayload<unknown>(this.client.options.loadedDataConverter, payload).catch(() => undefined);
    return typeof orgId === 'string' ? orgId : undefined;
  }
}
