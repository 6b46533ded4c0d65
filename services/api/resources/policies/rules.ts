import { cronProblem, isKnownTimeZone } from '../../../../lib/common/cron.js';
import { fieldProblem } from '../../../../lib/common/problem.js';
import type { PolicyInput } from './schema.js';

/** What the schema cannot say: the cron grammar and the time zone database. */
export function checkPolicy(input: PolicyInput): void {
  if (!isKnownTimeZone(input.timeZone)) throw fieldProblem('body.timeZone', `"${input.timeZone}" is not an IANA time zone`);
  for (const [index, schedule] of input.schedules.entries()) {
    const problem = cronProblem(schedule.cron);
    if (problem) throw fieldProblem(`body.schedules.${index}.cron`, problem);
  }
}
