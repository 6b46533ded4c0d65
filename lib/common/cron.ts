/**
 * Validation of the five-field cron expressions policies use (minute hour day-of-month month
 * day-of-week), the dialect Temporal Schedules accept. Supports `*`, numbers, names (JAN-DEC,
 * SUN-SAT), ranges `a-b`, steps `*\/n` and `a-b/n`, and lists. Errors name the field.
 */

interface CronField {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const FIELDS: readonly CronField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTH_NAMES },
  // 7 is Sunday as well as 0, as in Vixie cron.
  { name: 'day of week', min: 0, max: 7, names: DAY_NAMES },
];

/** Returns a reason when the expression is not valid, undefined when it is. */
export function cronProblem(expression: string): string | undefined {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== FIELDS.length) {
    return `expected ${FIELDS.length} fields (minute hour day-of-month month day-of-week), got ${parts.length}`;
  }
  for (const [index, field] of FIELDS.entries()) {
    const problem = fieldProblem(parts[index] as string, field);
    if (problem) return `${field.name} field "${parts[index]}": ${problem}`;
  }
  return undefined;
}

function fieldProblem(text: string, field: CronField): string | undefined {
  for (const item of text.split(',')) {
    const [range, step, ...extra] = item.split('/');
    if (extra.length > 0 || range === undefined) return 'more than one "/"';
    if (step !== undefined && !/^[1-9][0-9]*$/.test(step)) return `step "${step}" must be a positive integer`;
    if (range === '*') continue;
    const bounds = range.split('-');
    if (bounds.length > 2) return `"${range}" is not a value or a range`;
    const values: number[] = [];
    for (const bound of bounds) {
      const value = parseValue(bound, field);
      if (value === undefined) return `"${bound}" is not a value between ${field.min} and ${field.max}`;
      values.push(value);
    }
    if (values.length === 2 && (values[0] as number) > (values[1] as number)) return `range "${range}" runs backwards`;
  }
  return undefined;
}

function parseValue(text: string, field: CronField): number | undefined {
  const named = field.names?.indexOf(text.toUpperCase()) ?? -1;
  if (named >= 0) return field.names === MONTH_NAMES ? named + 1 : named;
  if (!/^[0-9]{1,2}$/.test(text)) return undefined;
  const value = Number(text);
  return value >= field.min && value <= field.max ? value : undefined;
}

/** Whether the name is an IANA time zone this runtime (and so the schedule runner) knows. */
export function isKnownTimeZone(name: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether a valid expression fires more than once on some day: its hour or minute field names more than
 * one value (`*`, a range, a step or a list). Answers the field that does, or undefined for at most daily.
 * Policies whose schedules do this have an hourly component, which RDS copies refuse.
 */
export function subDailyField(expression: string): 'minute' | 'hour' | undefined {
  const [minute, hour] = expression.trim().split(/\s+/);
  const single = (text: string | undefined) => text !== undefined && /^[0-9]{1,2}$/.test(text);
  if (!single(minute)) return 'minute';
  if (!single(hour)) return 'hour';
  return undefined;
}

/** The values a valid field allows (day of week 7 folded into 0). */
function fieldValues(text: string, field: CronField): Set<number> {
  const values = new Set<number>();
  for (const item of text.split(',')) {
    const [range, step] = item.split('/') as [string, string | undefined];
    const [low, high] = range === '*' ? [field.min, field.max] : (range.split('-').map((bound) => parseValue(bound, field) as number) as [number, number?]);
    const last = high ?? (step === undefined ? low : field.max);
    for (let value = low; value <= last; value += step === undefined ? 1 : Number(step)) values.add(field.names === DAY_NAMES ? value % 7 : value);
  }
  return values;
}

const MINUTES_PER_DAY = 24 * 60;
/** A year and a week: every expression that fires at least twice a year shows its longest gap. */
const GAP_WINDOW_DAYS = 373;
const gapCache = new Map<string, number | undefined>();

/**
 * The longest time, in minutes, between two consecutive firings of any of `expressions` (valid ones) read
 * as wall-clock times in `timeZone` (an IANA zone, as policies carry it; UTC by default), or undefined when
 * they fire less than twice a year. What "a run is overdue" is measured against: a daily 02:30 in a zone
 * with daylight saving is once 25 hours apart, which UTC would call 24.
 */
export function longestCronGapMinutes(expressions: readonly string[], timeZone = 'UTC'): number | undefined {
  const key = `${timeZone} ${[...expressions].sort().join('|')}`;
  if (gapCache.has(key)) return gapCache.get(key);
  const offsets = zoneOffsets(timeZone);
  const fires = new Set<number>();
  // Local calendar days, walked as UTC dates so no zone shifts the day arithmetic itself.
  const start = Date.UTC(2026, 0, 1);
  for (const expression of expressions) {
    const parts = expression.trim().split(/\s+/);
    const [minutes, hours, days, months, weekdays] = FIELDS.map((field, index) => fieldValues(parts[index] as string, field)) as Set<number>[];
    // Vixie cron: with both day fields restricted, a day matching either fires.
    const eitherDay = !parts[2]!.startsWith('*') && !parts[4]!.startsWith('*');
    for (let day = 0; day < GAP_WINDOW_DAYS; day++) {
      const date = new Date(start + day * MINUTES_PER_DAY * 60_000);
      if (!months!.has(date.getUTCMonth() + 1)) continue;
      const dayOfMonth = days!.has(date.getUTCDate());
      const dayOfWeek = weekdays!.has(date.getUTCDay());
      if (eitherDay ? !(dayOfMonth || dayOfWeek) : !(dayOfMonth && dayOfWeek)) continue;
      for (const hour of hours!) for (const minute of minutes!) fires.add(offsets.toInstantMinutes(day * MINUTES_PER_DAY + hour * 60 + minute));
    }
  }
  const sorted = [...fires].sort((a, b) => a - b);
  let longest: number | undefined;
  for (let index = 1; index < sorted.length; index++) longest = Math.max(longest ?? 0, sorted[index]! - sorted[index - 1]!);
  gapCache.set(key, longest);
  return longest;
}

/**
 * Converts local wall-clock minutes (since 2026-01-01 00:00 local) into instant minutes (since 2026-01-01
 * 00:00 UTC) for one zone. The zone's offset is asked once per local day and again only on the few days it
 * changes, so a schedule firing every minute stays cheap.
 */
function zoneOffsets(timeZone: string): { toInstantMinutes(localMinutes: number): number } {
  const format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' });
  const epoch = Date.UTC(2026, 0, 1);
  /** Minutes the zone is ahead of UTC at an instant. */
  const offsetAt = (instantMinutes: number): number => {
    const parts = Object.fromEntries(format.formatToParts(new Date(epoch + instantMinutes * 60_000)).map((p) => [p.type, Number(p.value)]));
    const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!);
    return Math.round((wall - epoch) / 60_000) - instantMinutes;
  };
  const byDay = new Map<number, number | undefined>();
  /** The day's offset when it is the same at both ends of the local day, else undefined (a change that day). */
  const dayOffset = (day: number): number | undefined => {
    if (!byDay.has(day)) {
      const first = offsetAt(day * MINUTES_PER_DAY - offsetAt(day * MINUTES_PER_DAY));
      const last = offsetAt((day + 1) * MINUTES_PER_DAY - 1 - first);
      byDay.set(day, first === last ? first : undefined);
    }
    return byDay.get(day);
  };
  return {
    toInstantMinutes(localMinutes) {
      const steady = dayOffset(Math.floor(localMinutes / MINUTES_PER_DAY));
      if (steady !== undefined) return localMinutes - steady;
      // The day the clocks change: the offset in force at that wall-clock time (a skipped time moves forward).
      const guess = localMinutes - offsetAt(localMinutes);
      return localMinutes - offsetAt(guess);
    },
  };
}
