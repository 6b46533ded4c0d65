import type { EmptiedClaim, RestoreCopyVolume } from '../../../proto/agent/restore-volumes.js';
import type { ExportedResource } from '../export/export-resources.js';
import type { KubeObject } from '../export/kube-object.js';
import { holdWorkload } from './held-workloads.js';
import type { ClaimSources } from './restore-resources.js';

const claimKey = (namespace: string | undefined, claim: string) => `${namespace ?? ''}/${claim}`;

/**
 * Claims whose data comes back from a copy in the repository: created empty, so the target's dynamic
 * provisioning makes a new volume of the (remapped) class, any class at all; a data mover pod fills it
 * afterwards, while the workloads that mount it are held with no replicas (`held-workloads.ts`). The backed-up PV is not restored, and references to the source's binding and data source
 * are cleared (they name objects of the source cluster).
 */
export class CopySources implements ClaimSources {
  private readonly claims: Set<string>;
  readonly emptied: EmptiedClaim[] = [];

  constructor(
    volumes: readonly RestoreCopyVolume[],
    private readonly jobId: string,
  ) {
    this.claims = new Set(volumes.map((v) => claimKey(v.namespace, v.claim)));
  }

  private isCopied(resource: Pick<ExportedResource, 'typeId' | 'namespace' | 'name'>): boolean {
    return resource.typeId === 'persistentvolumeclaims' && this.claims.has(claimKey(resource.namespace, resource.name));
  }

  notRestoredReason(resource: ExportedResource): string | undefined {
    if (resource.typeId !== 'persistentvolumes') return undefined;
    const ref = resource.object.spec?.claimRef as { namespace?: string; name?: string } | undefined;
    if (!ref?.name || !this.claims.has(claimKey(ref.namespace, ref.name))) return undefined;
    return `replaced by a new volume filled from the copy of claim ${ref.namespace}/${ref.name}`;
  }

  prepareObject(resource: ExportedResource, object: KubeObject): void {
    holdWorkload(resource, object, this.jobId, this.claims);
    if (!this.isCopied(resource) || !object.spec) return;
    delete object.spec.volumeName;
    delete object.spec.dataSource;
    delete object.spec.dataSourceRef;
  }

  async beforeWrite(): Promise<void> {}

  written(resource: ExportedResource, object: KubeObject): void {
    if (this.isCopied(resource) && object.metadata.namespace) {
      this.emptied.push({ namespace: resource.namespace ?? '', claim: resource.name, targetNamespace: object.metadata.namespace });
    }
  }
}

/** Several sources as one: each acts only on the claims (and PVs) it knows. */
export function allClaimSources(sources: readonly ClaimSources[]): ClaimSources {
  return {
    notRestoredReason: (resource) => sources.map((s) => s.notRestoredReason(resource)).find((r) => r !== undefined),
    prepareObject: (resource, object) => sources.forEach((s) => s.prepareObject(resource, object)),
    beforeWrite: async (resource, object) => {
      for (const s of sources) await s.beforeWrite(resource, object);
    },
    written: (resource, object) => sources.forEach((s) => s.written(resource, object)),
  };
}
