import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AgentMessageError, clusterInventoryRequestCodec, clusterInventoryResultCodec } from '../../proto/agent/index.js';
import { inventoryFromAgent } from '../../services/api/resources/clusters/inventory-answer.js';

const golden = () => JSON.parse(readFileSync(new URL('./fixtures/cluster-inventory-result.v1.json', import.meta.url), 'utf8')) as Record<string, unknown>;

describe('the cluster-inventory contract', () => {
  it('decodes the v1 request and result as an older control plane or agent sent them', () => {
    expect(clusterInventoryRequestCodec.decode({ version: 1 })).toEqual({ version: 1 });
    const result = clusterInventoryResultCodec.decode(golden());
    expect(result.storageClasses.map((sc) => [sc.name, sc.snapshotClass])).toEqual([
      ['csi-hostpath', 'csi-hostpath-snapclass'],
      ['local-storage', undefined],
    ]);
  });

  it('refuses an unknown version with a reason naming the message', () => {
    expect(() => clusterInventoryResultCodec.decode({ ...golden(), version: 2 })).toThrow(AgentMessageError);
    expect(() => clusterInventoryResultCodec.decode({ ...golden(), version: 2 })).toThrow(/cluster-inventory result: version 2/);
  });

  it('is shown with the control plane\'s own rules: kube-* protected, types by the id definitions use', () => {
    const shown = inventoryFromAgent('c1', golden(), new Date('2026-01-01T00:00:00Z'));
    expect(shown.namespaces.map((ns) => [ns.name, ns.protected])).toEqual([
      ['kube-system', true],
      ['shop', false],
    ]);
    expect(shown.resourceTypes.map((type) => type.id)).toEqual(['configmaps', 'volumesnapshots.snapshot.storage.k8s.io']);
  });

  it('refuses an answer past the byte bound before decoding it', () => {
    const huge = { ...golden(), padding: 'x'.repeat(2 * 1024 * 1024) };
    expect(() => inventoryFromAgent('c1', huge, new Date())).toThrow(/answered an inventory Haven does not accept \(\d+ bytes, more than 2097152\)/);
  });
});
