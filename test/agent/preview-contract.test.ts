import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AgentMessageError, previewBackupRequestCodec, previewBackupResultCodec } from '../../proto/agent/index.js';

function golden(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;
}

describe('the preview-backup contract', () => {
  it('decodes the v1 request and result as an older agent or control plane sent them', () => {
    expect(previewBackupRequestCodec.decode(golden('preview-backup-request.v1.json'))).toMatchObject({ version: 1, maxNamesPerType: 100 });
    expect(previewBackupResultCodec.decode(golden('preview-backup-result.v1.json')).volumes.map((v) => v.method)).toEqual(['SNAPSHOT', 'PVC']);
  });

  it('refuses an unknown version with a reason naming the message', () => {
    expect(() => previewBackupRequestCodec.decode({ ...golden('preview-backup-request.v1.json'), version: 99 })).toThrow(AgentMessageError);
    expect(() => previewBackupRequestCodec.decode({ ...golden('preview-backup-request.v1.json'), version: 99 })).toThrow(/preview-backup request: version 99/);
  });
});
