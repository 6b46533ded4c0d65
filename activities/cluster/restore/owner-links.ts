import type { KubeRestClient } from '../../../lib/kube/rest-client.js';

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

interface Dependent {
  objectPath: string;
  sourceOwners: OwnerReference[];
}

/**
 * Owner references name owners by uid, and uids differ on the target. Sending the source's would make the
 * target's garbage collector delete the object as orphaned, so objects are created without them and,
 * once every owner exists, re-linked to the owners this restore created. References to owners that were
 * not restored are dropped: the object then outlives nothing it depended on.
 */
export class OwnerLinks {
  private readonly targetUids = new Map<string, string>();
  private readonly dependents: Dependent[] = [];

  noteWritten(sourceUid: string | undefined, targetUid: string | undefined): void {
    if (sourceUid && targetUid) this.targetUids.set(sourceUid, targetUid);
  }

  noteDependent(objectPath: string, sourceOwners: OwnerReference[] | undefined): void {
    if (sourceOwners && sourceOwners.length > 0) this.dependents.push({ objectPath, sourceOwners });
  }

  /** Patches the re-linked references in; returns the paths whose patch failed, with the reason. */
  async relink(client: KubeRestClient): Promise<{ objectPath: string; reason: string }[]> {
    const failures: { objectPath: string; reason: string }[] = [];
    for (const { objectPath, sourceOwners } of this.dependents) {
      const owners = sourceOwners.flatMap((o) => {
        const uid = this.targetUids.get(o.uid);
        return uid ? [{ ...o, uid }] : [];
      });
      if (owners.length === 0) continue;
      try {
        await client.mergePatch(objectPath, { metadata: { ownerReferences: owners } });
      } catch (error) {
        failures.push({ objectPath, reason: (error as Error).message });
      }
    }
    return failures;
  }
}
