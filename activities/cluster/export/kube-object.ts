/** The parts of any Kubernetes object that export and selection read. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    ownerReferences?: { kind: string; name: string; controller?: boolean }[];
    managedFields?: unknown;
    [key: string]: unknown;
  };
  spec?: Record<string, unknown>;
  roleRef?: { kind: string; name: string };
  subjects?: { kind: string; name: string; namespace?: string }[];
  [key: string]: unknown;
}

export function objectKey(o: Pick<KubeObject, 'metadata'>): string {
  return o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name;
}
