import type { KubeObject } from '../export/kube-object.js';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

interface ServicePort {
  name?: string;
  port?: number;
  nodePort?: number;
}

/**
 * Node ports a person chose, as far as the object can tell: those in kubectl's last-applied
 * configuration. Ports the API server picked are not in it. Managed fields would tell more, but export
 * drops them.
 */
function explicitNodePorts(object: KubeObject): Set<number> {
  const annotation = (object.metadata.annotations as Record<string, string> | undefined)?.[LAST_APPLIED];
  if (!annotation) return new Set();
  try {
    const applied = JSON.parse(annotation) as { spec?: { ports?: ServicePort[] } };
    return new Set((applied.spec?.ports ?? []).flatMap((p) => (typeof p.nodePort === 'number' ? [p.nodePort] : [])));
  } catch {
    return new Set();
  }
}

/**
 * Clears what the source cluster allocated to a Service: its cluster IPs (from another service CIDR;
 * `None` marks a headless service and is kept) and, unless asked to preserve them, the node ports the
 * API server assigned, which the target allocates afresh. Chosen node ports are always kept.
 */
export function clearAllocatedServiceFields(object: KubeObject, preserveNodePorts: boolean): void {
  const spec = object.spec;
  if (!spec) return;
  if (spec.clusterIP !== 'None') {
    delete spec.clusterIP;
    delete spec.clusterIPs;
  }
  if (preserveNodePorts) return;
  const chosen = explicitNodePorts(object);
  for (const port of (spec.ports ?? []) as ServicePort[]) {
    if (port.nodePort !== undefined && !chosen.has(port.nodePort)) delete port.nodePort;
  }
  if (typeof spec.healthCheckNodePort === 'number' && !chosen.has(spec.healthCheckNodePort)) delete spec.healthCheckNodePort;
}
