/**
 * Seconds as a double for utimes, exact to the microsecond. A double near 1.7e9 s resolves ~0.24 µs and
 * libuv truncates to nanoseconds, so a whole-millisecond time could land just below itself; half a
 * microsecond of bias keeps truncation on the right microsecond.
 */
export function nsToSeconds(mtimeNs: string): number {
  const ns = BigInt(mtimeNs);
  return Number(ns / 1000n) / 1e6 + 5e-7;
}
