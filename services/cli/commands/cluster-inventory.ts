import { answer } from '../../../lib/client/client.js';
import type { SuccessBody } from '../../../lib/client/client.js';
import type { CommandSpec } from '../command.js';
import { integerValue } from '../command.js';
import { clusterIdOf } from '../lookup.js';
import { formatTags, render, table } from '../output.js';

type Inventory = SuccessBody<'getClusterInventory'>;

const yesNo = (value: boolean) => (value ? 'yes' : 'no');

/** The three lists a wizard picks from, each a table under its heading, with a note for any list the agent cut. */
function inventoryTables(inventory: Inventory): string {
  const cut = Object.entries(inventory.truncated)
    .filter(([, truncated]) => truncated)
    .map(([list]) => list);
  return [
    'NAMESPACES',
    table(
      ['name', 'phase', 'protected', 'labels'],
      inventory.namespaces.map((ns) => [ns.name, ns.phase, yesNo(ns.protected), formatTags(ns.labels)]),
    ),
    'STORAGE CLASSES',
    table(
      ['name', 'provisioner', 'default', 'csi driver', 'snapshot class', 'binding', 'reclaim', 'expansion'],
      inventory.storageClasses.map((sc) => [
        sc.name,
        sc.provisioner,
        yesNo(sc.isDefault),
        yesNo(sc.csiDriver),
        sc.snapshotClass ?? '<none>',
        sc.volumeBindingMode,
        sc.reclaimPolicy,
        yesNo(sc.allowVolumeExpansion),
      ]),
    ),
    'RESOURCE TYPES',
    table(
      ['id', 'kind', 'version', 'namespaced', 'verbs'],
      inventory.resourceTypes.map((type) => [type.id, type.kind, type.group ? `${type.group}/${type.version}` : type.version, yesNo(type.namespaced), type.verbs.join(',')]),
    ),
    ...(cut.length > 0 ? [`Cut by the agent at the API's bounds (docs/api.md): ${cut.join(', ')}\n`] : []),
  ].join('\n');
}

export const clusterInventoryCommand: CommandSpec = {
  group: 'cluster',
  verb: 'inventory',
  usage: 'NAME|ID',
  summary: "List a cluster's namespaces, storage classes (CSI driver, snapshot class) and resource types, as its agent reads them now",
  details: 'The agent must be connected (haven cluster get shows ACTIVE). Resource type ids are what --include-resources takes.',
  options: {
    timeout: { type: 'string', value: 'SECONDS', description: 'how long to wait for the agent (default 30, at most 120)' },
  },
  arity: { min: 1, max: 1 },
  async run(context) {
    const id = await clusterIdOf(context.client, context.arguments[0]!);
    const timeoutSeconds = integerValue(context.values, 'timeout');
    const inventory = answer(
      await context.client.GET('/api/v1/clusters/{id}/inventory', { params: { path: { id }, query: timeoutSeconds === undefined ? {} : { timeoutSeconds } } }),
    );
    context.stdout.write(render(context.output, inventory, () => inventoryTables(inventory)));
  },
};
