import type { ResourceRestoreOptions } from '../../../activities/cluster/restore/restore-options.js';

type Partial2 = {
  selection?: Partial<ResourceRestoreOptions['selection']>;
  transforms?: Partial<ResourceRestoreOptions['transforms']>;
  existingResources?: ResourceRestoreOptions['existingResources'];
};

/** Restore options with the API's defaults, overridden field by field. */
export function restoreOptions(overrides: Partial2 = {}): ResourceRestoreOptions {
  return {
    selection: { namespaces: [], resourceTypes: [], labels: '', resources: [], volumes: [], ...overrides.selection },
    transforms: {
      namespacePrefix: '',
      namespaceSuffix: '',
      namespaceMapping: {},
      storageClassMapping: {},
      preserveNodePorts: false,
      ...overrides.transforms,
    },
    existingResources: overrides.existingResources ?? 'SKIP',
  };
}
