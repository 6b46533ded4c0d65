import type { Schedule } from './schema.js';

/** The first retention `after` falls short of, matched by rank (longest against longest), or undefined. */
function shortfall(before: number[], after: number[]): { was: number; now: number } | undefined {
  const ranked = (days: number[]) => [...days].sort((a, b) => b - a);
  const now = ranked(after);
  for (const [rank, was] of ranked(before).entries()) {
    if ((now[rank] ?? 0) < was) return { was, now: now[rank] ?? 0 };
  }
  return undefined;
}

/**
 * Why a policy change would protect future backups less than the stored policy does, or undefined.
 * Compared as guarantees, not schedule by schedule: re-timing or reordering schedules is an operator's
 * business, but a retention shorter than it was at the same rank (a removed schedule keeps nothing),
 * among all schedules or among the SafeLock ones, needs an admin.
 */
export function policyWeakening(stored: readonly Schedule[], next: readonly Schedule[]): string | undefined {
  const days = (schedules: readonly Schedule[], lockedOnly: boolean) => schedules.filter((s) => !lockedOnly || s.safeLock).map((s) => s.retentionDays);
  const locked = shortfall(days(stored, true), days(next, true));
  if (locked) return locked.now === 0 ? `a schedule would lose SafeLock (${locked.was} days)` : `SafeLock would hold recovery points ${locked.now} days where it holds them ${locked.was}`;
  const kept = shortfall(days(stored, false), days(next, false));
  if (kept) return kept.now === 0 ? `a schedule keeping recovery points ${kept.was} days would be removed` : `recovery points would be kept ${kept.now} days where a schedule keeps them ${kept.was}`;
  return undefined;
}
