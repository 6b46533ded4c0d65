import type { KubeObject } from './kube-object.js';

/**
 * Cluster-scoped objects that namespaced objects depend on. In "Select Namespaces" mode these are the
 * only cluster-scoped objects a backup takes: the PVs bound to its claims, the storage classes they use,
 * the CRDs of its custom resources, and the cluster RBAC that grants its service accounts their rights.
 */
export class Associations {
  readonly claims = new Set<string>();
  readonly volumes = new Set<string>();
  readonly storageClasses = new Set<string>();
  readonly crds = new Set<string>();
  readonly serviceAccounts = new Set<string>();
  readonly clusterRoles = new Set<string>();

  /** Records what an included namespaced object refers to. `crdName` is set for custom resources. */
  noteNamespaced(typeId: string, object: KubeObject, crdName: string | undefined): void {
    const namespace = object.metadata.namespace ?? '';
    if (crdName) this.crds.add(crdName);
    if (typeId === 'persistentvolumeclaims') {
      this.claims.add(`${namespace}/${object.metadata.name}`);
      const volumeName = object.spec?.volumeName;
      const storageClass = object.spec?.storageClassName;
      if (typeof volumeName === 'string' && volumeName) this.volumes.add(volumeName);
      if (typeof storageClass === 'string' && storageClass) this.storageClasses.add(storageClass);
    }
    if (typeId === 'serviceaccounts') this.serviceAccounts.add(`${namespace}/${object.metadata.name}`);
    if (typeId === 'rolebindings.rbac.authorization.k8s.io' && object.roleRef?.kind === 'ClusterRole') {
      this.clusterRoles.add(object.roleRef.name);
    }
  }

  /** A PV belongs to the selection when one of the selected claims is bound to it. */
  volumeAssociated(pv: KubeObject): boolean {
    const claimRef = pv.spec?.claimRef as { namespace?: string; name?: string } | undefined;
    if (this.volumes.has(pv.metadata.name)) return true;
    return claimRef !== undefined && this.claims.has(`${claimRef.namespace ?? ''}/${claimRef.name ?? ''}`);
  }

  noteVolume(pv: KubeObject): void {
    const storageClass = pv.spec?.storageClassName;
    if (typeof storageClass === 'string' && storageClass) this.storageClasses.add(storageClass);
  }

  /** A cluster role binding belongs to the selection when it grants something to a selected service account. */
  bindingAssociated(binding: KubeObject): boolean {
    return (binding.subjects ?? []).some((s) => s.kind === 'ServiceAccount' && this.serviceAccounts.has(`${s.namespace ?? ''}/${s.name}`));
  }

  noteBinding(binding: KubeObject): void {
    if (binding.roleRef?.kind === 'ClusterRole') this.clusterRoles.add(binding.roleRef.name);
  }
}
