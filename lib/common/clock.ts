/** Injected wherever "now" matters (expiry, liveness, timestamps) so tests never sleep. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
