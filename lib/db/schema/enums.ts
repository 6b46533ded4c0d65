import { pgEnum } from 'drizzle-orm/pg-core';
import {
  DEFINITION_KINDS,
  HOOK_TYPES,
  JOB_KINDS,
  JOB_STATUSES,
  NOTIFICATION_CHANNEL_KINDS,
  NOTIFICATION_DELIVERY_STATUSES,
  NOTIFICATION_EVENTS,
  RECOVERY_POINT_TYPES,
  ROLES,
  STORAGE_TARGET_KINDS,
} from '../../common/enums.js';

export const roleEnum = pgEnum('role', ROLES);
export const storageTargetKindEnum = pgEnum('storage_target_kind', STORAGE_TARGET_KINDS);
export const hookTypeEnum = pgEnum('hook_type', HOOK_TYPES);
export const definitionKindEnum = pgEnum('definition_kind', DEFINITION_KINDS);
export const jobKindEnum = pgEnum('job_kind', JOB_KINDS);
export const jobStatusEnum = pgEnum('job_status', JOB_STATUSES);
export const recoveryPointTypeEnum = pgEnum('recovery_point_type', RECOVERY_POINT_TYPES);
export const notificationChannelKindEnum = pgEnum('notification_channel_kind', NOTIFICATION_CHANNEL_KINDS);
export const notificationEventEnum = pgEnum('notification_event', NOTIFICATION_EVENTS);
export const notificationDeliveryStatusEnum = pgEnum('notification_delivery_status', NOTIFICATION_DELIVERY_STATUSES);
