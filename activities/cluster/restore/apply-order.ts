import type { ExportedResource } from '../export/export-resources.js';

/**
 * Dependency ranks: each rank only needs objects of earlier ranks to exist. CRDs before anything could
 * be a custom resource; namespaces before what lives in them; storage classes before the volumes and
 * claims that name them; secrets and config maps before the service accounts and workloads that mount
 * them; RBAC before the workloads that run as its subjects; services before workloads so their
 * environment variables are populated. Everything unlisted (custom resources, other built-ins) comes last.
 */
export const APPLY_RANKS: readonly (readonly string[])[] = [
  ['customresourcedefinitions.apiextensions.k8s.io'],
  ['namespaces'],
  ['storageclasses.storage.k8s.io'],
  ['persistentvolumes', 'persistentvolumeclaims'],
  ['secrets', 'configmaps'],
  ['serviceaccounts'],
  [
    'roles.rbac.authorization.k8s.io',
    'clusterroles.rbac.authorization.k8s.io',
    'rolebindings.rbac.authorization.k8s.io',
    'clusterrolebindings.rbac.authorization.k8s.io',
  ],
  ['services'],
  ['deployments.apps', 'statefulsets.apps', 'daemonsets.apps', 'jobs.batch', 'cronjobs.batch', 'replicasets.apps', 'pods'],
];

export function applyRank(typeId: string): number {
  const rank = APPLY_RANKS.findIndex((types) => types.includes(typeId));
  return rank < 0 ? APPLY_RANKS.length : rank;
}

/** Groups resources by rank, in rank order; the order within a rank is the recovery point's. */
export function inApplyOrder<T extends Pick<ExportedResource, 'typeId'>>(resources: T[]): T[][] {
  const groups: T[][] = Array.from({ length: APPLY_RANKS.length + 1 }, () => []);
  for (const resource of resources) groups[applyRank(resource.typeId)]!.push(resource);
  return groups.filter((g) => g.length > 0);
}
