import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { missingStorageClassesRequestCodec, missingStorageClassesResultCodec, restoreResourcesRequestCodec, restoreResourcesResultCodec } from '../../proto/agent/index.js';

/** Messages as released agents and control planes sent them; never edit these, add new ones. */
function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../backup/fixtures/agent/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;
}

describe('control plane <-> agent restore contracts', () => {
  it('decodes the v1 restore-resources request and result as released', () => {
    // A v1 request named no single resources and no volume: it upgrades to v2 with none.
    const v1 = fixture('restore-resources-request.v1.json') as { selection: Record<string, unknown> };
    expect(restoreResourcesRequestCodec.decode(v1)).toEqual({ ...v1, version: 2, selection: { ...v1.selection, resources: [], volumes: [] } });
    expect(restoreResourcesResultCodec.decode(fixture('restore-resources-result.v1.json'))).toEqual(fixture('restore-resources-result.v1.json'));
  });

  it('decodes the v1 storage-class check as released', () => {
    expect(missingStorageClassesRequestCodec.decode(fixture('missing-storage-classes-request.v1.json'))).toEqual(fixture('missing-storage-classes-request.v1.json'));
    expect(missingStorageClassesResultCodec.decode(fixture('missing-storage-classes-result.v1.json'))).toEqual(fixture('missing-storage-classes-result.v1.json'));
  });

  it('names the field that breaks the schema', () => {
    expect(() => restoreResourcesRequestCodec.decode({ ...fixture('restore-resources-request.v1.json'), existingResources: 'REPLACE' })).toThrow(/^restore-resources request: \/existingResources /);
  });
});
