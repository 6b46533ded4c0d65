import type { V1Pod } from '@kubernetes/client-node';
import { toKubernetesSelector, type LabelSelector } from '../../../lib/common/label-selector.js';
import type { KubeRestClient } from '../../../lib/kube/rest-client.js';

/** The pods of a namespace whose labels the selector may match; the runner re-checks every label itself. */
export interface HookPodLister {
  listPods(namespace: string, selector: LabelSelector): Promise<V1Pod[]>;
}

/** Lists through the API server, which filters by label so only candidate pods cross the wire. */
export class KubernetesHookPodLister implements HookPodLister {
  constructor(private readonly client: KubeRestClient) {}

  async listPods(namespace: string, selector: LabelSelector): Promise<V1Pod[]> {
    const pods: V1Pod[] = [];
    const query: Record<string, string> = selector.requirements.length > 0 ? { labelSelector: labelSelectorQuery(selector) } : {};
    for await (const pod of this.client.list<V1Pod>(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`, query)) pods.push(pod);
    return pods;
  }
}

/** The product's selector in the API server's query syntax: `a in (b,c),x in (y)`. */
export function labelSelectorQuery(selector: LabelSelector): string {
  return toKubernetesSelector(selector)
    .matchExpressions.map(({ key, values }) => `${key} in (${values.join(',')})`)
    .join(',');
}
