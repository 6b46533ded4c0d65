import type { ExportedResource } from '../export/export-resources.js';
import type { KubeObject } from '../export/kube-object.js';
import type { KubeRestClient } from '../../../lib/kube/rest-client.js';

/** On a workload created with no replicas until its copied claims hold their data: how many it had. */
export const HELD_REPLICAS_ANNOTATION = 'restore.haven.io/held-replicas';
/** The restore job that holds it, so that job (or its cleanup) releases exactly its own. */
export const HELD_BY_LABEL = 'restore.haven.io/held-by-job';

const HOLDABLE = { 'deployments.apps': 'deployments', 'statefulsets.apps': 'statefulsets' } as const;
type PodSpecLike = { volumes?: { persistentVolumeClaim?: { claimName?: string } }[] };

/** The claims a Deployment's or StatefulSet's pods mount: named volumes, and a StatefulSet's `<template>-<set>-<ordinal>`. */
function mountsAny(object: KubeObject, namespace: string, claims: ReadonlySet<string>): boolean {
  const spec = object.spec as { template?: { spec?: PodSpecLike }; volumeClaimTemplates?: { metadata?: { name?: string } }[] } | undefined;
  const named = (spec?.template?.spec?.volumes ?? []).some((v) => v.persistentVolumeClaim?.claimName && claims.has(`${namespace}/${v.persistentVolumeClaim.claimName}`));
  const prefixes = (spec?.volumeClaimTemplates ?? []).map((t) => `${namespace}/${t.metadata?.name ?? ''}-${object.metadata.name}-`);
  return named || [...claims].some((claim) => prefixes.some((p) => claim.startsWith(p) && /^\d+$/.test(claim.slice(p.length))));
}

/**
 * Copied PVs are filled by mover pods after the resources are written. So that no pod of the restored
 * application starts on an empty volume (and, say, initializes a fresh database there), Deployments and
 * StatefulSets that mount a copied claim are created with no replicas, their count kept in an
 * annotation; `releaseHeldWorkloads` gives it back once the data is in. DaemonSets, Jobs and bare pods
 * cannot be held this way and start at once.
 */
export function holdWorkload(resource: ExportedResource, object: KubeObject, jobId: string, copiedClaims: ReadonlySet<string>): void {
  if (!(resource.typeId in HOLDABLE) || !resource.namespace || !object.spec) return;
  if (!mountsAny(resource.object, resource.namespace, copiedClaims)) return;
  const replicas = typeof object.spec.replicas === 'number' ? object.spec.replicas : 1;
  object.metadata.annotations = { ...(object.metadata.annotations as Record<string, string> | undefined), [HELD_REPLICAS_ANNOTATION]: String(replicas) };
  object.metadata.labels = { ...object.metadata.labels, [HELD_BY_LABEL]: jobId };
  object.spec.replicas = 0;
}

/** Gives every workload this job held its replicas back; idempotent (released ones lose the label). */
export async function releaseHeldWorkloads(kube: KubeRestClient, jobId: string, namespaces: readonly string[]): Promise<string[]> {
  const released: string[] = [];
  for (const namespace of namespaces) {
    for (const collection of Object.values(HOLDABLE)) {
      const path = `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/${collection}`;
      for await (const workload of kube.list<KubeObject>(path, { labelSelector: `${HELD_BY_LABEL}=${jobId}` })) {
        const held = Number((workload.metadata.annotations as Record<string, string> | undefined)?.[HELD_REPLICAS_ANNOTATION] ?? '1');
        await kube.mergePatch(`${path}/${encodeURIComponent(workload.metadata.name)}`, {
          metadata: { annotations: { [HELD_REPLICAS_ANNOTATION]: null }, labels: { [HELD_BY_LABEL]: null } },
          spec: { replicas: Number.isFinite(held) ? held : 1 },
        });
        released.push(`${collection}/${namespace}/${workload.metadata.name}`);
      }
    }
  }
  return released;
}
