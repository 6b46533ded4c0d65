import { describe, expect, it } from 'vitest';
import { HOOK_OUTPUT_EXCERPT_CHARS, hookPodFailureMessage, hookPodOutput, outputExcerpt, redactSecrets } from '../../lib/domain/hook-output.js';

describe('redacting what looks like a secret in hook output', () => {
  it.each([
    ['password=hunter2 retrying', 'password=[REDACTED] retrying'],
    ['DB_PASSWORD: "s3cr3t value"', 'DB_PASSWORD: [REDACTED]'],
    ['{"apiKey":"k-123","user":"bob"}', '{"apiKey":[REDACTED],"user":"bob"}'],
    ['client_secret=abc&grant=x', 'client_secret=[REDACTED]&grant=x'],
    ['Authorization: Basic dXNlcjpwYXNz\nnext line', 'Authorization: [REDACTED]\nnext line'],
    ['curl -H "Bearer abc.def-ghi"', 'curl -H "Bearer [REDACTED]"'],
    ['key AKIAIOSFODNN7EXAMPLE used', 'key [REDACTED] used'],
    ['jdbc postgres://app:pw@db:5432/app', 'jdbc postgres://[REDACTED]@db:5432/app'],
    ['jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig end', 'jwt [REDACTED] end'],
    ['sha 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 ok', 'sha [REDACTED] ok'],
    ['-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY----- after', '[REDACTED] after'],
  ])('%j', (text, redacted) => {
    expect(redactSecrets(text)).toBe(redacted);
  });

  it('leaves ordinary diagnostics alone: paths, words, short numbers', () => {
    const text = 'pg_ctl: could not open /var/lib/postgresql/data/postmaster.pid: exit 3 after 12 tries';
    expect(redactSecrets(text)).toBe(text);
  });

  it('excerpts on one line, redacted before it is cut, at most the excerpt length and an ellipsis', () => {
    const secret = `${'a1'.repeat(100)}`;
    const excerpt = outputExcerpt(`first\n\n  second ${'z'.repeat(HOOK_OUTPUT_EXCERPT_CHARS)} token=${secret}`);
    expect(excerpt.startsWith('first second zzz')).toBe(true);
    expect(excerpt).toHaveLength(HOOK_OUTPUT_EXCERPT_CHARS + 1);
    expect(excerpt.endsWith('…')).toBe(true);
    expect(outputExcerpt(`token=${secret}`)).toBe('token=[REDACTED]');
  });
});

describe('a hook pod failure as the job carries it', () => {
  const report = { type: 'PRE_BACKUP' as const, hook: 'freeze' };
  const failure = { namespace: 'shop', pod: 'db-0', container: 'db', status: 'FAILED' as const, exitCode: 3, stdoutTail: '', stderrTail: 'mysql -uapp -phunter2\nAUTH s3cr3tpass\n', durationMs: 5 };

  it('words the message from where and how it ended, with not a byte of the output', () => {
    expect(hookPodFailureMessage(report, failure)).toBe('PRE_BACKUP hook "freeze" in pod shop/db-0 container db exited with code 3');
  });

  it('keeps the output apart, as a one-line excerpt, and nothing when the pod printed nothing', () => {
    expect(hookPodOutput(failure)).toEqual({ output: 'mysql -uapp -phunter2 AUTH s3cr3tpass' });
    expect(hookPodOutput({ stderrTail: ' \n' })).toEqual({});
  });
});
