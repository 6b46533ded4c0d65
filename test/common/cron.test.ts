import { describe, expect, it } from 'vitest';
import { cronProblem, isKnownTimeZone } from '../../lib/common/cron.js';

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
