import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { Description, Name, RecordMeta } from '../../../../lib/domain/schema-kit.js';
import { RetentionDays } from '../../../../lib/domain/definitions/options.js';

export const MAX_SCHEDULES_PER_POLICY = 20;
export const DEFAULT_TIME_ZONE = 'UTC';


export const Schedule = Type.Object(
  {
    cron: Type.String({
      minLength: 9,
      maxLength: 120,
      description: 'Five-field cron expression (minute hour day-of-month month day-of-week), evaluated in the policy time zone.',
      examples: ['30 2 * * *', '0 */6 * * MON-FRI'],
    }),
    retentionDays: RetentionDays,
    safeLock: Type.Boolean({
      default: false,
      description:
        'Recovery points from this schedule cannot be deleted before they expire (enforced with S3 Object Lock, so ' +
        'the destination must be object-lock capable). Ignored for replication.',
    }),
  },
  { additionalProperties: false },
);
export type Schedule = Static<typeof Schedule>;

export const PolicyInput = Type.Object(
  {
    name: Name,
    description: Description,
    timeZone: Type.String({
      minLength: 1,
      maxLength: 64,
      default: DEFAULT_TIME_ZONE,
      description: 'IANA time zone the cron expressions are evaluated in, e.g. Europe/Paris.',
    }),
    schedules: Type.Array(Schedule, { minItems: 1, maxItems: MAX_SCHEDULES_PER_POLICY }),
  },
  { additionalProperties: false },
);
export type PolicyInput = Static<typeof PolicyInput>;

export const Policy = Type.Object({
  ...RecordMeta,
  name: Type.String(),
  description: Type.String(),
  timeZone: Type.String(),
  schedules: Type.Array(Schedule),
});
export type Policy = Static<typeof Policy>;
