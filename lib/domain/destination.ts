/**
 * Where a run's data goes. The job (definition) setting wins over the cluster's default, which wins
 * over the organization's default. This is the only place that precedence is written.
 */

export type DestinationSource = 'definition' | 'cluster' | 'organization';

export interface ResolvedDestination {
  storageTargetId: string;
  inheritedFrom: DestinationSource;
}

export function resolveDestination(settings: {
  definition: string | null | undefined;
  cluster: string | null | undefined;
  organization: string | null | undefined;
}): ResolvedDestination | null {
  if (settings.definition) return { storageTargetId: settings.definition, inheritedFrom: 'definition' };
  if (settings.cluster) return { storageTargetId: settings.cluster, inheritedFrom: 'cluster' };
  if (settings.organization) return { storageTargetId: settings.organization, inheritedFrom: 'organization' };
  return null;
}
