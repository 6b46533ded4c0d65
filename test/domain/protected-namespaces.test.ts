import { describe, expect, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { hookTargets } from '../../activities/cluster/hooks/hook-targets.js';
import { parseLabelSelector } from '../../lib/common/label-selector.js';
import { isProtectedNamespace } from '../../lib/domain/protected-namespaces.js';
import { replicaNamespaces } from '../../workflows/replication-namespaces.js';

const noTransforms = { namespacePrefix: '', namespaceSuffix: '', namespaceMapping: {}, storageClassMapping: {}, preserveNodePorts: false };

describe('protected namespaces at run time', () => {
  it('are haven-system and every kube-* namespace', () => {
    for (const name of ['haven-system', 'kube-system', 'kube-public', 'kube-node-lease', 'kube-future']) expect(isProtectedNamespace(name)).toBe(true);
    for (const name of ['default', 'shop', 'haven-systems', 'kubeflow', 'my-kube-system']) expect(isProtectedNamespace(name)).toBe(false);
  });

  it('hooks never run in their pods', () => {
    const pod = (namespace: string): V1Pod => ({
      metadata: { namespace, name: `db-${namespace}`, labels: { app: 'db' } },
      spec: { containers: [{ name: 'main' }] },
      status: { phase: 'Running' },
    });
    const parsed = parseLabelSelector('app:db');
    if (!parsed.ok) throw new Error(parsed.error.message);
    const targets = hookTargets([pod('kube-system'), pod('shop'), pod('haven-system')], parsed.selector, null);
    expect(targets.map((t) => t.namespace)).toEqual(['shop']);
  });

  it('a replication never lands in one, even from a definition saved before the API refused it', () => {
    const transforms = { ...noTransforms, namespaceMapping: { shop: 'kube-system' } };
    expect(replicaNamespaces(['shop'], transforms, ['kube-system'])).toEqual({ mapping: {}, outside: [{ namespace: 'shop', target: 'kube-system' }] });
  });
});
