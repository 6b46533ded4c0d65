import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCli } from './helpers/cli-runner.js';

const repository = join(mkdtempSync(join(tmpdir(), 'haven-cli-args-')), 'repo');

describe('the data mover CLI on bad arguments', () => {
  it.each([
    ['an unknown option', ['backup', '--repository', repository, '--no-such-flag']],
    ['a value missing after its option', ['backup', '--repository']],
    ['an unknown command', ['shred', '--repository', repository]],
  ])('answers %s with INVALID_ARGUMENT, not retryable, and exit code 2', async (_what, args) => {
    const { code, output } = await startCli(args).done;
    expect(code).toBe(2);
    expect(output).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', retryable: false } });
  });
});
