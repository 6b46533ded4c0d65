import type { Schedule } from './schema.js';

/**
 * Why a policy change would protect future backups less than the stored policy does, or undefined.
 * Schedules are matched by cron: a stored schedule whose cron no longer appears is gone, so an
 * operator cannot drop SafeLock or retention by re-timing a schedule at the same time.
 */
export function policyWeakening(stored: readonly Schedule[], next: readonly Schedule[]): string | undefined {
  for (const before of stored) {
    const same = next.filter((schedule) => schedule.cron === before.cron);
    if (before.safeLock && !same.some((schedule) => schedule.safeLock)) {
      return `schedule "${before.cron}" would lose SafeLock`;
    }
    const longest = Math.max(0, ...same.map((schedule) => schedule.retentionDays));
    if (longest < before.retentionDays) {
      return same.length === 0
        ? `schedule "${before.cron}" (retention ${before.retentionDays} days) would be removed`
        : `schedule "${before.cron}" would keep recovery points ${longest} days instead of ${before.retentionDays}`;
    }
  }
  return undefined;
}
