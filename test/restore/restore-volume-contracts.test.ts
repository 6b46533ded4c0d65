import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { restoreResourcesRequestCodec, restoreResourcesResultCodec, type RestoreResourcesRequest } from '../../proto/agent/index.js';
import { restoreResourcesMessage } from '../../workflows/restore-claims.js';
import {
  awaitHookTargetsRequestCodec,
  awaitRestoredClaimsRequestCodec,
  awaitRestoredClaimsResultCodec,
  checkSnapshotRestoreRequestCodec,
  checkSnapshotRestoreResultCodec,
  releaseHeldWorkloadsRequestCodec,
  releaseSnapshotSourcesRequestCodec,
} from '../../proto/agent/restore-volumes.js';

/** Messages as released agents and control planes sent them; never edit these, add new ones. */
function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`./fixtures/agent/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;
}

const roundTrips: [string, { decode(message: unknown): unknown }][] = [
  ['restore-resources-request.v2.json', restoreResourcesRequestCodec],
  ['restore-resources-result-volumes.v1.json', restoreResourcesResultCodec],
  ['check-snapshot-restore-request.v1.json', checkSnapshotRestoreRequestCodec],
  ['check-snapshot-restore-result.v1.json', checkSnapshotRestoreResultCodec],
  ['await-restored-claims-request.v1.json', awaitRestoredClaimsRequestCodec],
  ['await-restored-claims-result.v1.json', awaitRestoredClaimsResultCodec],
  ['release-snapshot-sources-request.v1.json', releaseSnapshotSourcesRequestCodec],
  ['await-hook-targets-request.v1.json', awaitHookTargetsRequestCodec],
  ['release-held-workloads-request.v1.json', releaseHeldWorkloadsRequestCodec],
];

describe('control plane <-> agent contracts of restoring PV data, holding workloads and waiting for hook targets', () => {
  it.each(roundTrips)('decodes %s as released', (name, codec) => {
    expect(codec.decode(fixture(name))).toEqual(fixture(name));
  });

  it('upgrades the v1 restore-resources request with volumes to v2, naming nothing granular', () => {
    const v1 = fixture('restore-resources-request-volumes.v1.json') as { selection: Record<string, unknown> };
    expect(restoreResourcesRequestCodec.decode(v1)).toEqual({ ...v1, version: 2, selection: { ...v1.selection, resources: [], volumes: [] } });
  });

  it('sends a request naming nothing granular as v1, which agents of before v2 read', () => {
    const v2 = fixture('restore-resources-request.v2.json') as RestoreResourcesRequest;
    expect(restoreResourcesMessage(v2)).toBe(v2);
    const plain = restoreResourcesMessage({ ...v2, selection: { ...v2.selection, resources: [], volumes: [] } });
    expect(plain).toMatchObject({ version: 1, selection: { namespaces: [], resourceTypes: [], labels: '' } });
    expect(plain.selection).not.toHaveProperty('resources');
  });

  it('names the field that breaks the schema', () => {
    const result = fixture('await-restored-claims-result.v1.json') as { claims: Record<string, unknown>[] };
    expect(() => awaitRestoredClaimsResultCodec.decode({ ...result, claims: [{ ...result.claims[0], state: 'LOST' }] })).toThrow(/^await-restored-claims result: \/claims\/0\/state /);
  });
});
