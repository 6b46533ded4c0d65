import { Problem } from '../../../../lib/common/problem.js';
import { isProtectedNamespace } from '../../../../lib/domain/protected-namespaces.js';
import { AgentMessageError, clusterInventoryResultCodec, INVENTORY_LIMITS } from '../../../../proto/agent/index.js';
import type { ClusterInventory } from './inventory-schema.js';

/** Reasons quote paths of the answer, whose keys the tenant chose: printable and short, so no log or terminal is driven by them. */
function quotable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 200);
}

function refused(clusterId: string, why: string): Problem {
  return new Problem('agent-answer-invalid', `the agent of cluster ${clusterId} answered an inventory Haven does not accept (${why}); nothing of it is shown. Reinstall the agent from the registration's manifest`);
}

/**
 * The agent's answer comes from a cluster its tenant controls completely: it is measured, decoded against
 * the contract's bounds, and copied field by field (whatever else it carries is dropped) before anyone sees it.
 * `protected` and `id` are the control plane's own rules, never the agent's word.
 */
export function inventoryFromAgent(clusterId: string, answer: unknown, generatedAt: Date): ClusterInventory {
  const bytes = Buffer.byteLength(JSON.stringify(answer) ?? '');
  if (bytes > INVENTORY_LIMITS.answerBytes) throw refused(clusterId, `${bytes} bytes, more than ${INVENTORY_LIMITS.answerBytes}`);
  let decoded;
  try {
    decoded = clusterInventoryResultCodec.decode(answer);
  } catch (error) {
    if (error instanceof AgentMessageError) throw refused(clusterId, quotable(error.detail));
    throw error;
  }
  return {
    clusterId,
    generatedAt: generatedAt.toISOString(),
    namespaces: decoded.namespaces.map((ns) => ({ name: ns.name, phase: ns.phase, labels: { ...ns.labels }, protected: isProtectedNamespace(ns.name) })),
    storageClasses: decoded.storageClasses.map((sc) => ({
      name: sc.name,
      provisioner: sc.provisioner,
      isDefault: sc.isDefault,
      reclaimPolicy: sc.reclaimPolicy,
      volumeBindingMode: sc.volumeBindingMode,
      allowVolumeExpansion: sc.allowVolumeExpansion,
      csiDriver: sc.csiDriver,
      snapshotClasses: sc.snapshotClasses.map((c) => ({ name: c.name, deletionPolicy: c.deletionPolicy, isDefault: c.isDefault })),
      ...(sc.snapshotClass === undefined ? {} : { snapshotClass: sc.snapshotClass }),
    })),
    resourceTypes: decoded.resourceTypes.map((type) => ({
      // The form a definition's resourceTypes uses (activities/cluster/export/discovery.ts resourceTypeId).
      id: type.group ? `${type.resource}.${type.group}` : type.resource,
      group: type.group,
      version: type.version,
      kind: type.kind,
      resource: type.resource,
      namespaced: type.namespaced,
      verbs: [...type.verbs],
    })),
    truncated: { namespaces: decoded.truncated.namespaces, labels: decoded.truncated.labels, storageClasses: decoded.truncated.storageClasses, resourceTypes: decoded.truncated.resourceTypes },
  };
}
