import { pgEnum } from 'drizzle-orm/pg-core';
import {
  CLOUD_ACCOUNT_AUTH_KINDS,
  DEFINITION_KINDS,
  HOOK_TYPES,
  JOB_KINDS,
  JOB_STATUSES,
  RDS_DATABASE_TYPES,
  RECOVERY_POINT_SOURCES,
  NOTIFICATION_CHANNEL_KINDS,
  NOTIFICATION_DELIVERY_STATUSES,
  NOTIFICATION_EVENTS,
  RECOVERY_POINT_TYPES,
  ROLES,
  STORAGE_TARGET_KINDS,
  VERIFICATION_MODES,
  VERIFICATION_STATUSES,
  VERIFICATION_TRIGGERS,
} from '../../common/enums.js';

export const roleEnum = pgEnum('role', ROLES);
export const storageTargetKindEnum = pgEnum('storage_target_kind', STORAGE_TARGET_KINDS);
export const hookTypeEnum = pgEnum('hook_type', HOOK_TYPES);
export const definitionKindEnum = pgEnum('definition_kind', DEFINITION_KINDS);
export const jobKindEnum = pgEnum('job_kind', JOB_KINDS);
export const jobStatusEnum = pgEnum('job_status', JOB_STATUSES);
export const recoveryPointTypeEnum = pgEnum('recovery_point_type', RECOVERY_POINT_TYPES);
export const recoveryPointSourceEnum = pgEnum('recovery_point_source', RECOVERY_POINT_SOURCES);
export const cloudAccountAuthEnum = pgEnum('cloud_account_auth', CLOUD_ACCOUNT_AUTH_KINDS);
export const rdsDatabaseTypeEnum = pgEnum('rds_database_type', RDS_DATABASE_TYPES);
export const verificationModeEnum = pgEnum('verification_mode', VERIFICATION_MODES);
export const verificationStatusEnum = pgEnum('verification_status', VERIFICATION_STATUSES);
export const verificationTriggerEnum = pgEnum('verification_trigger', VERIFICATION_TRIGGERS);
export const notificationChannelKindEnum = pgEnum('notification_channel_kind', NOTIFICATION_CHANNEL_KINDS);
export const notificationEventEnum = pgEnum('notification_event', NOTIFICATION_EVENTS);
export const notificationDeliveryStatusEnum = pgEnum('notification_delivery_status', NOTIFICATION_DELIVERY_STATUSES);
