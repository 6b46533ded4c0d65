import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AgentMessageError, exportResourcesRequestCodec, exportResourcesResultCodec } from '../../proto/agent/index.js';

/** Messages as released agents and control planes sent them; never edit these, add new ones. */
function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`./fixtures/agent/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;
}

describe('control plane <-> agent contracts', () => {
  it('decodes the v1 export request and result as released', () => {
    expect(exportResourcesRequestCodec.decode(fixture('export-resources-request.v1.json'))).toMatchObject({
      version: 1,
      selection: { scope: 'SELECTED_NAMESPACES', labels: { requirements: [{ key: 'app', values: ['web', 'api'] }, { key: 'tier', values: ['frontend'] }] } },
      repository: { location: 's3://haven/prod/repository' },
    });
    expect(exportResourcesResultCodec.decode(fixture('export-resources-result.v1.json'))).toEqual(fixture('export-resources-result.v1.json'));
  });

  it('decodes a message from a newer sender that added optional fields (an older agent still works)', () => {
    const newer = { ...fixture('export-resources-request.v1.json'), hooks: { pre: [] }, selection: { ...(fixture('export-resources-request.v1.json').selection as object), futureOption: true } };
    expect(exportResourcesRequestCodec.decode(newer).jobId).toBe('5b0f3a56-8d0c-4c1e-9d0a-3f1f2d9a7c11');
  });

  it('refuses a version it does not know, saying which side to upgrade', () => {
    expect(() => exportResourcesRequestCodec.decode({ ...fixture('export-resources-request.v1.json'), version: 99 })).toThrow(
      new AgentMessageError('export-resources request', 'version 99 is not supported by this build; upgrade the agent or the control plane'),
    );
  });

  it('names the field that breaks the schema', () => {
    const { snapshotId: _dropped, ...broken } = fixture('export-resources-result.v1.json');
    expect(() => exportResourcesResultCodec.decode(broken)).toThrow(/^export-resources result: \/snapshotId /);
    expect(() => exportResourcesResultCodec.decode('text')).toThrow('export-resources result: not an object');
  });
});
