import { describe, expect, it } from 'vitest';
import { cronProblem, isKnownTimeZone, longestCronGapMinutes } from '../../lib/common/cron.js';

describe('cron expressions', () => {
  it.each(['* * * * *', '30 2 * * *', '0 */6 * * MON-FRI', '0 0 1,15 * *', '5 4 * JAN-MAR 0', '0 0 * * 7', '0-30/10 1-5 */2 6 sun'])(
    'accepts %j',
    (expression) => expect(cronProblem(expression)).toBeUndefined(),
  );

  it.each([
    ['* * * *', 'expected 5 fields'],
    ['* * * * * *', 'expected 5 fields'],
    ['60 * * * *', 'minute field'],
    ['* 24 * * *', 'hour field'],
    ['* * 0 * *', 'day of month field'],
    ['* * * 13 *', 'month field'],
    ['* * * * 8', 'day of week field'],
    ['*/0 * * * *', 'step'],
    ['5-1 * * * *', 'runs backwards'],
    ['@daily', 'expected 5 fields'],
  ])('rejects %j', (expression, message) => expect(cronProblem(expression)).toContain(message));
});

describe('time zones', () => {
  it('knows IANA names and UTC', () => {
    expect(isKnownTimeZone('UTC')).toBe(true);
    expect(isKnownTimeZone('Europe/Paris')).toBe(true);
    expect(isKnownTimeZone('America/Argentina/Buenos_Aires')).toBe(true);
  });

  it('rejects made-up zones and offsets', () => {
    expect(isKnownTimeZone('Mars/Olympus')).toBe(false);
    expect(isKnownTimeZone('+02:00')).toBe(false);
    expect(isKnownTimeZone('')).toBe(false);
  });
});

describe('longestCronGapMinutes', () => {
  it.each([
    [['0 */6 * * *'], 6 * 60],
    [['30 2 * * *'], 24 * 60],
    [['0 2 * * MON-FRI'], 3 * 24 * 60],
    [['0 1 * * 0', '0 13 * * 3'], (3 * 24 + 12) * 60],
    [['*/15 9-17 * * *'], 15 * 60 + 15],
    [['0 0 1 * *'], 31 * 24 * 60],
    // Both day fields restricted: either day fires (the 1st, or any Sunday).
    [['0 0 1 * SUN'], 7 * 24 * 60],
  ])('%j fires at most %i minutes apart', (expressions, minutes) => {
    expect(longestCronGapMinutes(expressions)).toBe(minutes);
  });

  it.each([
    // Clocks go back an hour in October: one gap of the daily run is 25 hours.
    [['30 2 * * *'], 'Europe/Berlin', 25 * 60],
    [['0 1 * * *'], 'America/New_York', 25 * 60],
    [['0 2 * * MON-FRI'], 'Europe/Berlin', (3 * 24 + 1) * 60],
    // No daylight saving: the same as UTC.
    [['30 2 * * *'], 'Asia/Tokyo', 24 * 60],
    [['0 */6 * * *'], 'UTC', 6 * 60],
  ])('%j in %s fires at most %i minutes apart', (expressions, zone, minutes) => {
    expect(longestCronGapMinutes(expressions, zone)).toBe(minutes);
  });

  it('is undefined for a schedule that fires less than twice a year', () => {
    expect(longestCronGapMinutes(['0 0 29 2 *'])).toBeUndefined();
  });
});
