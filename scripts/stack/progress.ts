/**
 * Progress goes to stderr so that stdout carries only the KEY=VALUE lines of `stack up`
 * (callers can `eval` or parse them).
 */
export function say(component: string, message: string): void {
  process.stderr.write(`[${component}] ${message}\n`);
}

export function seconds(sinceMs: number): string {
  return `${((Date.now() - sinceMs) / 1000).toFixed(1)}s`;
}

/** Prints a heartbeat line while slow work (a first Go build) runs, so a silent terminal never looks hung. */
export async function withHeartbeat<T>(component: string, what: string, work: Promise<T>): Promise<T> {
  const started = Date.now();
  say(component, `${what}…`);
  const timer = setInterval(() => say(component, `${what}… ${seconds(started)}`), 20_000);
  try {
    const result = await work;
    say(component, `${what}: done in ${seconds(started)}`);
    return result;
  } finally {
    clearInterval(timer);
  }
}

/** A component failed to build or start; the message names it and the log that explains why. */
export class StackComponentError extends Error {
  constructor(
    readonly component: string,
    readonly reason: string,
    readonly logFile?: string,
  ) {
    super(`${component}: ${reason}${logFile ? ` (see ${logFile})` : ''}`);
    this.name = 'StackComponentError';
  }
}
