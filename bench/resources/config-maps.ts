import { mapConcurrent } from '../../lib/common/map-concurrent.js';
import type { KubeRestClient } from '../../lib/kube/rest-client.js';

/** Creates in flight while seeding: setup is not what is measured, so it only has to be quick. */
const SEED_CONCURRENCY = 32;

/** A ConfigMap of the size applications keep: a few settings and a small file, about 600 bytes of JSON. */
function configMap(namespace: string, index: number): unknown {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `settings-${index.toString().padStart(6, '0')}`, namespace, labels: { app: `app-${index % 50}`, tier: index % 3 === 0 ? 'web' : 'worker' } },
    data: {
      LOG_LEVEL: index % 7 === 0 ? 'debug' : 'info',
      REPLICA_INDEX: String(index),
      'application.properties': `server.port=${8000 + (index % 1000)}\nfeature.flags=a,b,c\ncache.ttl=${index % 600}s\n`.repeat(4),
    },
  };
}

/** A namespace holding `count` ConfigMaps, created through the same REST client the agent uses. */
export async function seedNamespace(kube: KubeRestClient, namespace: string, count: number): Promise<void> {
  await kube.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: { 'bench.haven.io/resources': 'true' } } });
  const indexes = Array.from({ length: count }, (_, i) => i);
  await mapConcurrent(indexes, SEED_CONCURRENCY, (i) => kube.post(`/api/v1/namespaces/${namespace}/configmaps`, configMap(namespace, i)));
}

/** Deletes the ConfigMaps in one request (deletecollection), then the namespace. */
export async function removeNamespace(kube: KubeRestClient, namespace: string): Promise<void> {
  await kube.delete(`/api/v1/namespaces/${namespace}/configmaps`);
  await kube.delete(`/api/v1/namespaces/${namespace}`);
}

/** How many ConfigMaps a namespace holds (a restore's outcome is checked against the cluster, not only its report). */
export async function countConfigMaps(kube: KubeRestClient, namespace: string): Promise<number> {
  let count = 0;
  for await (const _ of kube.list(`/api/v1/namespaces/${namespace}/configmaps`)) count++;
  return count;
}
