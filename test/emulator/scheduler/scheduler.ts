import type { V1Node, V1NodeSelectorRequirement, V1Pod } from '@kubernetes/client-node';
import type { EmulatorContext } from '../support/context.js';
import { mergePatch, readOptional, splitKey } from '../support/kube-api.js';
import { claimNamesOf } from '../kubelet/pod-claims.js';

const SELECTED_NODE_ANNOTATION = 'volume.kubernetes.io/selected-node';

/**
 * Plays kube-scheduler for pods in scope: filters the emulated nodes by nodeSelector, required node
 * affinity and the node affinity of bound PVs, hands WaitForFirstConsumer claims their node, waits until
 * every claim is bound (as the volume binding plugin does), and then binds through pods/binding.
 */
export class Scheduler {
  private readonly assigned = new Map<string, number>();

  constructor(private readonly ctx: EmulatorContext) {}

  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    if (!this.ctx.inScope(namespace)) return;
    const pod = await readOptional(() => this.ctx.api.core.readNamespacedPod({ namespace, name }));
    if (!pod || pod.spec?.nodeName || pod.metadata?.deletionTimestamp) return;
    if ((pod.spec?.schedulerName ?? 'default-scheduler') !== 'default-scheduler') return;

    const nodes = (await this.ctx.api.core.listNode()).items.filter((n) => this.ctx.nodeNames.includes(n.metadata?.name ?? ''));
    let candidates = nodes.filter((node) => matchesPod(node, pod));
    const waitingFor: string[] = [];
    for (const claimName of claimNamesOf(pod)) {
      const pvc = await readOptional(() => this.ctx.api.core.readNamespacedPersistentVolumeClaim({ namespace, name: claimName }));
      if (!pvc) return this.unschedulable(pod, nodes.length, `persistentvolumeclaim "${claimName}" not found`);
      if (pvc.metadata?.deletionTimestamp) return this.unschedulable(pod, nodes.length, `persistentvolumeclaim "${claimName}" is being deleted`);
      if (pvc.spec?.volumeName) {
        const pv = await readOptional(() => this.ctx.api.core.readPersistentVolume({ name: pvc.spec?.volumeName ?? '' }));
        const terms = pv?.spec?.nodeAffinity?.required?.nodeSelectorTerms;
        if (terms) candidates = candidates.filter((node) => terms.some((term) => (term.matchExpressions ?? []).every((r) => matchesRequirement(node, r))));
        continue;
      }
      waitingFor.push(claimName);
      const selected = pvc.metadata?.annotations?.[SELECTED_NODE_ANNOTATION];
      const storageClass = pvc.spec?.storageClassName ? await readOptional(() => this.ctx.api.storage.readStorageClass({ name: pvc.spec?.storageClassName ?? '' })) : undefined;
      if (storageClass?.volumeBindingMode === 'WaitForFirstConsumer' && !selected) {
        const node = this.pick(candidates);
        if (!node) return this.unschedulable(pod, nodes.length, "didn't match Pod's node affinity/selector");
        await this.ctx.api.core.patchNamespacedPersistentVolumeClaim(
          { namespace, name: claimName, body: { metadata: { annotations: { [SELECTED_NODE_ANNOTATION]: node } } } },
          mergePatch,
        );
      }
      if (selected) candidates = candidates.filter((node) => node.metadata?.name === selected);
    }
    // A claim event re-queues this pod once the binder or the provisioner has bound it.
    if (waitingFor.length > 0) return;
    const node = this.pick(candidates);
    if (!node) return this.unschedulable(pod, nodes.length, "didn't match Pod's node affinity/selector");
    await this.ctx.api.core.createNamespacedPodBinding({
      namespace,
      name,
      body: { metadata: { name, namespace }, target: { apiVersion: 'v1', kind: 'Node', name: node } },
    });
    this.assigned.set(node, (this.assigned.get(node) ?? 0) + 1);
    await this.ctx.events('default-scheduler').record(podRef(pod), 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${name} to ${node}`);
  }

  /** The least used of the candidate nodes, so pods spread over nodes like the default scoring does. */
  private pick(candidates: V1Node[]): string | undefined {
    const names = candidates.map((n) => n.metadata?.name ?? '').filter(Boolean);
    return names.sort((a, b) => (this.assigned.get(a) ?? 0) - (this.assigned.get(b) ?? 0))[0];
  }

  private async unschedulable(pod: V1Pod, nodeCount: number, why: string): Promise<void> {
    await this.ctx.events('default-scheduler').record(podRef(pod), 'Warning', 'FailedScheduling', `0/${nodeCount} nodes are available: ${why}.`);
  }
}

function matchesPod(node: V1Node, pod: V1Pod): boolean {
  const labels = node.metadata?.labels ?? {};
  const selector = pod.spec?.nodeSelector ?? {};
  if (!Object.entries(selector).every(([key, value]) => labels[key] === value)) return false;
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  return !terms || terms.some((term) => (term.matchExpressions ?? []).every((r) => matchesRequirement(node, r)));
}

function matchesRequirement(node: V1Node, requirement: V1NodeSelectorRequirement): boolean {
  const value = node.metadata?.labels?.[requirement.key];
  switch (requirement.operator) {
    case 'In':
      return value !== undefined && (requirement.values ?? []).includes(value);
    case 'NotIn':
      return value === undefined || !(requirement.values ?? []).includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    default:
      return false;
  }
}

export function podRef(pod: V1Pod) {
  return { kind: 'Pod', apiVersion: 'v1', namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid };
}
