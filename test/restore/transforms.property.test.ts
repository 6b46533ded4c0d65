import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../activities/cluster/export/kube-object.js';
import { applyTransforms } from '../../activities/cluster/restore/transforms.js';
import { NamespaceMapping } from '../../lib/domain/namespace-mapping.js';
import { renamedNamespace } from '../../lib/domain/namespace-mapping.js';
import { restoreOptions } from './helpers/options.js';

// `constructor` is a valid namespace and storage-class name, and a property of every plain object.
const dnsLabel = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,12}[a-z0-9])?$/) },
  { weight: 1, arbitrary: fc.constantFrom('constructor', 'shop', 'default', 'db') },
);
const names = fc.uniqueArray(dnsLabel, { minLength: 1, maxLength: 6 });

/** Either an explicit mapping or a prefix/suffix (the API refuses both at once), over some of `namespaces`. */
function transformsOver(namespaces: string[]) {
  const byMapping = fc
    .subarray(namespaces)
    .chain((mapped) => fc.tuple(fc.constant(mapped), fc.array(dnsLabel, { minLength: mapped.length, maxLength: mapped.length })))
    .map(([mapped, targets]) => ({ namespacePrefix: '', namespaceSuffix: '', namespaceMapping: Object.fromEntries(mapped.map((n, i) => [n, targets[i]!])) }));
  const byAffix = fc.record({
    namespacePrefix: fc.stringMatching(/^([a-z0-9][-a-z0-9]{0,5})?$/),
    namespaceSuffix: fc.stringMatching(/^([-a-z0-9]{0,5}[a-z0-9])?$/),
    namespaceMapping: fc.constant({}),
  });
  const storageClassMapping = fc.dictionary(dnsLabel, dnsLabel, { maxKeys: 3 });
  return fc.tuple(fc.oneof(byMapping, byAffix), storageClassMapping, fc.subarray(namespaces)).map(([renames, classes, restored]) => ({
    transforms: restoreOptions({ transforms: { ...renames, storageClassMapping: classes } }).transforms,
    restored: new Set(restored),
  }));
}

const scenario = names.chain((namespaces) => fc.tuple(fc.constant(namespaces), transformsOver(namespaces), fc.constantFrom(...namespaces), dnsLabel));

type Transforms = ReturnType<typeof restoreOptions>['transforms'];

/** The rule, spelled independently: own mapping entries only, else prefix + name + suffix; others unchanged. */
function expectedTarget(transforms: Transforms, restored: ReadonlySet<string>, namespace: string): string {
  if (!restored.has(namespace)) return namespace;
  if (Object.hasOwn(transforms.namespaceMapping, namespace)) return transforms.namespaceMapping[namespace]!;
  return `${transforms.namespacePrefix}${namespace}${transforms.namespaceSuffix}`;
}

function expectedClass(transforms: Transforms, storageClass: string): string {
  return Object.hasOwn(transforms.storageClassMapping, storageClass) ? transforms.storageClassMapping[storageClass]! : storageClass;
}

describe('restore transforms, generated input', () => {
  it('renames a restored namespace by its own mapping entry or its affixes, and leaves others alone', () => {
    fc.assert(
      fc.property(scenario, ([namespaces, { transforms, restored }]) => {
        const mapping = new NamespaceMapping(transforms, restored);
        for (const namespace of namespaces) {
          expect(mapping.target(namespace)).toBe(expectedTarget(transforms, restored, namespace));
          // The API's own copy of the rule (for its protected-namespace check) must agree for restored names.
          expect(renamedNamespace(transforms, namespace)).toBe(expectedTarget(transforms, new Set([namespace]), namespace));
        }
      }),
    );
  });

  it('rewrites every namespace reference and storage class of an object, and nothing else', () => {
    fc.assert(
      fc.property(scenario, ([namespaces, { transforms, restored }, namespace, storageClass]) => {
        const mapping = new NamespaceMapping(transforms, restored);
        const target = (n: string) => expectedTarget(transforms, restored, n);
        const objects: [string, KubeObject, KubeObject][] = [
          ['namespaces', { metadata: { name: namespace } }, { metadata: { name: target(namespace) } }],
          [
            'persistentvolumeclaims',
            { metadata: { name: 'c', namespace, annotations: { 'volume.beta.kubernetes.io/storage-class': storageClass, other: storageClass } }, spec: { storageClassName: storageClass } },
            {
              metadata: { name: 'c', namespace: target(namespace), annotations: { 'volume.beta.kubernetes.io/storage-class': expectedClass(transforms, storageClass), other: storageClass } },
              spec: { storageClassName: expectedClass(transforms, storageClass) },
            },
          ],
          [
            'persistentvolumes',
            { metadata: { name: 'pv' }, spec: { storageClassName: storageClass, claimRef: { namespace, name: 'c' } } },
            { metadata: { name: 'pv' }, spec: { storageClassName: expectedClass(transforms, storageClass), claimRef: { namespace: target(namespace), name: 'c' } } },
          ],
          [
            'statefulsets.apps',
            { metadata: { name: 's', namespace }, spec: { volumeClaimTemplates: [{ spec: { storageClassName: storageClass } }, { spec: {} }] } },
            { metadata: { name: 's', namespace: target(namespace) }, spec: { volumeClaimTemplates: [{ spec: { storageClassName: expectedClass(transforms, storageClass) } }, { spec: {} }] } },
          ],
          [
            'clusterrolebindings.rbac.authorization.k8s.io',
            { metadata: { name: 'b' }, subjects: namespaces.map((n) => ({ kind: 'ServiceAccount', name: 'a', namespace: n })) },
            { metadata: { name: 'b' }, subjects: namespaces.map((n) => ({ kind: 'ServiceAccount', name: 'a', namespace: target(n) })) },
          ],
          // A storage class on a type that does not hold claims is not a reference to rewrite.
          ['configmaps', { metadata: { name: 'm', namespace }, spec: { storageClassName: storageClass } }, { metadata: { name: 'm', namespace: target(namespace) }, spec: { storageClassName: storageClass } }],
        ];
        for (const [typeId, object, expected] of objects) {
          applyTransforms(typeId, object, mapping, transforms);
          expect(object).toEqual(expected);
        }
      }),
    );
  });
});
