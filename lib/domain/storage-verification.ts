import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { VERIFICATION_MODES, type VerificationMode } from '../common/enums.js';
import { StringEnum } from './schema-kit.js';

/** Weekly, Sunday 03:00 in UTC: after the night's backups, before the week's. */
export const DEFAULT_VERIFICATION_CRON = '0 3 * * 0';
export const DEFAULT_VERIFICATION_TIME_ZONE = 'UTC';
export const DEFAULT_VERIFICATION_MODE: VerificationMode = 'SAMPLED';
/** Share of packs a SAMPLED verification reads in full, in percent. */
export const DEFAULT_VERIFICATION_SAMPLE_PERCENT = 10;
export const MIN_VERIFICATION_SAMPLE_PERCENT = 1;
export const MAX_VERIFICATION_SAMPLE_PERCENT = 100;

export const VerificationSamplePercent = Type.Integer({
  minimum: MIN_VERIFICATION_SAMPLE_PERCENT,
  maximum: MAX_VERIFICATION_SAMPLE_PERCENT,
  default: DEFAULT_VERIFICATION_SAMPLE_PERCENT,
  description: 'SAMPLED only: the share of packs read in full and every chunk in them proven, in percent (picked at random each time).',
});

export const VerificationModeSchema = StringEnum(VERIFICATION_MODES, {
  default: DEFAULT_VERIFICATION_MODE,
  description: 'SAMPLED reads `samplePercent` of the packs in full; FULL reads every pack. Both check every index, snapshot and manifest.',
});

/** A storage target's scheduled verification: one Temporal Schedule per target while enabled. */
export const VerificationSettings = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: 'Verify the repository on the schedule below; off, only POST .../actions/verify does.' }),
    cron: Type.String({
      minLength: 9,
      maxLength: 120,
      default: DEFAULT_VERIFICATION_CRON,
      description: 'Five-field cron expression (minute hour day-of-month month day-of-week) evaluated in `timeZone`; default Sunday 03:00.',
    }),
    timeZone: Type.String({ minLength: 1, maxLength: 64, default: DEFAULT_VERIFICATION_TIME_ZONE, description: 'IANA time zone of `cron`.' }),
    mode: VerificationModeSchema,
    samplePercent: VerificationSamplePercent,
  },
  { additionalProperties: false, default: {}, description: 'Scheduled verification of the repository on this target (default weekly, Sunday 03:00 UTC, SAMPLED 10%).' },
);
export type VerificationSettings = Static<typeof VerificationSettings>;

export const DEFAULT_VERIFICATION_SETTINGS: VerificationSettings = {
  enabled: true,
  cron: DEFAULT_VERIFICATION_CRON,
  timeZone: DEFAULT_VERIFICATION_TIME_ZONE,
  mode: DEFAULT_VERIFICATION_MODE,
  samplePercent: DEFAULT_VERIFICATION_SAMPLE_PERCENT,
};

/** The share of packs the data mover reads in full for these settings: 1 for FULL. */
export function packShare(settings: Pick<VerificationSettings, 'mode' | 'samplePercent'>): number {
  return settings.mode === 'FULL' ? 1 : settings.samplePercent / 100;
}

/** One object found bad, as a verification records it (the data mover's problem, without its internals). */
export interface VerificationFinding {
  objectKey: string;
  message: string;
  snapshotId?: string;
  path?: string;
  chunkId?: string;
}

/** What one verification read and found. */
export interface VerificationFigures {
  snapshots: number;
  packs: number;
  packsRead: number;
  bytesRead: number;
  chunksRead: number;
  referencedChunks: number;
  damagedSnapshots: number;
}

/** At most this many findings are kept per verification (the count of all is kept too). */
export const MAX_VERIFICATION_FINDINGS = 200;
