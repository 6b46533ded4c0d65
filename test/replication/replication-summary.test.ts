import { describe, expect, it } from 'vitest';
import { replicaNamespaces } from '../../workflows/replication-namespaces.js';
import { summarizeReplication, type PhaseEnd } from '../../workflows/replication-summary.js';

const transforms = { namespacePrefix: '', namespaceSuffix: '-dr', namespaceMapping: {}, storageClassMapping: {}, preserveNodePorts: false };
const done = (message: string): PhaseEnd => ({ status: 'COMPLETED', message, errors: [] });

describe('which backed-up namespaces a replication restores', () => {
  it('brings only those whose new name is a destination namespace, and names the others', () => {
    expect(replicaNamespaces(['shop', 'data', 'ops'], transforms, ['shop-dr', 'data-dr'])).toEqual({
      mapping: { data: 'data-dr', shop: 'shop-dr' },
      outside: [{ namespace: 'ops', target: 'ops-dr' }],
    });
  });

  it('follows an explicit mapping over prefix and suffix', () => {
    const mapped = { ...transforms, namespaceSuffix: '', namespaceMapping: { shop: 'standby' } };
    expect(replicaNamespaces(['shop'], mapped, ['standby']).mapping).toEqual({ shop: 'standby' });
  });
});

describe('how a replication reads on its job', () => {
  const namespaces = { mapping: { shop: 'shop-dr' }, outside: [] };

  it('is COMPLETED with both phases\' messages and figures when both completed', () => {
    const backup = { ...done('Backed up 12 resources'), bytesTransferred: 1000, filesTransferred: 10 };
    expect(summarizeReplication(backup, { ...done('Restored resources: 12 created'), bytesTransferred: 900 }, namespaces)).toEqual({
      status: 'COMPLETED',
      message: 'Replicated 1 namespace (shop → shop-dr). Backup: Backed up 12 resources. Restore: Restored resources: 12 created',
      errors: [],
      bytesTransferred: 1900,
      filesTransferred: 10,
    });
  });

  it('is PARTIAL with every cause named by phase: a failed object, a namespace with nowhere to land, a temporary point left', () => {
    const restore: PhaseEnd = { status: 'PARTIAL', message: 'Restored resources: 1 failed', errors: [{ message: 'ConfigMap shop-dr/x not restored: quota', resource: 'configmaps/shop-dr/x' }] };
    const summary = summarizeReplication(done('ok'), restore, { ...namespaces, outside: [{ namespace: 'ops', target: 'ops-dr' }] }, 'the temporary recovery point p could not be deleted');
    expect(summary.status).toBe('PARTIAL');
    expect(summary.errors.map((e) => e.message)).toEqual([
      'restore: ConfigMap shop-dr/x not restored: quota',
      'namespace ops was not replicated: it would become ops-dr, which is not one of the destination namespaces',
      'the temporary recovery point p could not be deleted',
    ]);
  });

  it('is PARTIAL when a phase was, even without errors of its own', () => {
    expect(summarizeReplication({ ...done('some PVs skipped'), status: 'PARTIAL' }, done('ok'), namespaces).status).toBe('PARTIAL');
  });
});
