import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  awaitVolumeSnapshotRequestCodec,
  createVolumeSnapshotRequestCodec,
  runHookRequestCodec,
  runHookResultCodec,
  scanBackupScopeRequestCodec,
  scanBackupScopeResultCodec,
  volumeSnapshotStateCodec,
} from '../../proto/agent/index.js';

/** Messages as released agents and control planes sent them; never edit these, add new ones. */
function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`./fixtures/agent/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;
}

describe('hook and snapshot contracts between the control plane and the agent', () => {
  it('decode every v1 message as released', () => {
    for (const [codec, name] of [
      [runHookRequestCodec, 'run-hook-request.v1.json'],
      [runHookResultCodec, 'run-hook-result.v1.json'],
      [scanBackupScopeResultCodec, 'scan-backup-scope-result.v1.json'],
      [createVolumeSnapshotRequestCodec, 'create-volume-snapshot-request.v1.json'],
      [volumeSnapshotStateCodec, 'volume-snapshot-state.v1.json'],
    ] as const) {
      expect(codec.decode(fixture(name)), name).toEqual(fixture(name));
    }
    const selection = (fixture('export-resources-request.v1.json') as { selection: unknown }).selection;
    expect(scanBackupScopeRequestCodec.decode({ version: 1, jobId: 'j', selection }).selection).toEqual(selection);
  });

  it('decode a newer sender\'s optional additions, and name the field that breaks the schema', () => {
    const newer = { ...fixture('run-hook-request.v1.json'), traceId: 'abc', hook: { ...(fixture('run-hook-request.v1.json').hook as object), env: {} } };
    expect(runHookRequestCodec.decode(newer).hook.name).toBe('freeze-db');
    expect(() => awaitVolumeSnapshotRequestCodec.decode({ version: 1, namespace: 'shop', snapshotName: 's', until: 'SOON', timeoutSeconds: 60 })).toThrow(
      /^await-volume-snapshot request: \/until /,
    );
  });
});
