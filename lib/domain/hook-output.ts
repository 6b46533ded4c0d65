import type { HookReportMessage } from '../../proto/agent/index.js';

/**
 * What of a hook's output reaches the job record. A hook's stderr is whatever the application printed,
 * often a connection string or a password in a shape no pattern list foresees (`-phunter2`, `AUTH s3cr3t`).
 * So a job's message and errors, which every role reads, never carry it: a short, redacted excerpt goes in
 * the error's separate `output` field, which the API returns to operators and admins only. The whole tails
 * stay in the run's sealed Temporal history, for those who may decode it (docs/hooks.md).
 */
export const HOOK_OUTPUT_EXCERPT_CHARS = 200;

const REDACTED = '[REDACTED]';

/**
 * Shapes that carry secrets, each replaced by REDACTED. Order matters: whole headers and blocks go
 * before the generic `key=value` rule could leave half of them.
 */
const SECRET_PATTERNS: readonly { pattern: RegExp; replace: string | ((match: string, ...groups: string[]) => string) }[] = [
  { pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, replace: REDACTED },
  // The header's whole value: `Bearer x`, `Basic x`, or a bare token.
  { pattern: /\b((?:proxy-)?authorization)(\s*[:=]\s*)[^\r\n]*/gi, replace: (_m, key: string, sep: string) => `${key}${sep}${REDACTED}` },
  { pattern: /\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+/gi, replace: (_m, scheme: string) => `${scheme} ${REDACTED}` },
  // Credentials in a URL: scheme://user:password@host.
  { pattern: /([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+:[^\s/@]+@/gi, replace: (_m, scheme: string) => `${scheme}${REDACTED}@` },
  // key=value, key: value, "key": "value", for keys that name a secret (password, db_password, apiKey, secret_access_key…).
  {
    pattern: /(["']?[A-Za-z0-9_.-]*(?:passw(?:or)?d|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?)[A-Za-z0-9_.-]*["']?\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s,;&]+)/gi,
    replace: (_m, key: string) => `${key}${REDACTED}`,
  },
  // AWS access key ids.
  { pattern: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[A-Z0-9]{16}\b/g, replace: REDACTED },
  // JSON Web Tokens.
  { pattern: /\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, replace: REDACTED },
  // Long base64 or hex runs (keys, signatures, AWS secret keys): a run of 32+ with letters and digits; a plain path or word has no digits.
  { pattern: /[A-Za-z0-9+/_-]{32,}={0,2}/g, replace: (match: string) => (/[0-9]/.test(match) && /[A-Za-z]/.test(match) ? REDACTED : match) },
];

/** The text with everything that looks like a secret replaced by [REDACTED]. */
export function redactSecrets(text: string): string {
  let redacted = text;
  for (const { pattern, replace } of SECRET_PATTERNS) {
    redacted = typeof replace === 'string' ? redacted.replace(pattern, replace) : redacted.replace(pattern, replace as (substring: string, ...args: string[]) => string);
  }
  return redacted;
}

/**
 * A short, redacted excerpt of a stream, on one line: redacted before it is cut, so a secret on the cut
 * is not left half-shown.
 */
export function outputExcerpt(text: string, chars = HOOK_OUTPUT_EXCERPT_CHARS): string {
  const line = redactSecrets(text).replace(/\s+/g, ' ').trim();
  return line.length <= chars ? line : `${line.slice(0, chars)}…`;
}

type HookPodOutcomeMessage = HookReportMessage['outcomes'][number];

/**
 * How one pod's failure of a hook reads on the job: where and what, never the pod's output (see the
 * top of this file). The agent words its failure this way and the control plane words the job from the
 * report again, so a job's message carries no output whatever agent version reported it.
 */
export function hookPodFailureMessage(report: Pick<HookReportMessage, 'type' | 'hook'>, failure: HookPodOutcomeMessage): string {
  const where = `${report.type} hook "${report.hook}" in pod ${failure.namespace}/${failure.pod} container ${failure.container}`;
  const what = failure.exitCode !== null ? `exited with code ${failure.exitCode}` : `failed: ${outputExcerpt(failure.error?.message ?? 'unknown error')}`;
  return `${where} ${what}`;
}

/** The job error's operator-only `output`: the pod's stderr as a short, redacted excerpt, or nothing when it printed none. */
export function hookPodOutput(failure: Pick<HookPodOutcomeMessage, 'stderrTail'>): { output: string } | Record<string, never> {
  const output = outputExcerpt(failure.stderrTail ?? '');
  return output ? { output } : {};
}
