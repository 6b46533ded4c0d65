import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulatedCluster, type EmulatedCluster } from './helpers/cluster.js';
import { aClaim, boundClaim, podInPhase } from './helpers/objects.js';

describe('two emulated clusters side by side', () => {
  let a: EmulatedCluster;
  let b: EmulatedCluster;
  beforeAll(async () => {
    [a, b] = await Promise.all([startEmulatedCluster({ envName: 'KUBECONFIG' }), startEmulatedCluster({ envName: 'KUBECONFIG_B', nodeCount: 2 })]);
  });
  afterAll(async () => Promise.all([a?.stop(), b?.stop()]));

  it('keeps nodes, volumes and pods of each cluster apart', async () => {
    const [nsA, nsB] = await Promise.all([a.namespace('app'), b.namespace('app')]);
    const nodesInB = (await b.api.core.listNode()).items.map((n) => n.metadata?.name);
    expect(nodesInB).toEqual(expect.arrayContaining([...b.node.nodeNames]));
    expect(nodesInB).not.toContain(a.node.nodeNames[0]);

    for (const [cluster, namespace, text] of [[a, nsA, 'from a'], [b, nsB, 'from b']] as const) {
      await cluster.api.core.createNamespacedPersistentVolumeClaim({ namespace, body: aClaim('data') });
      const pvc = await boundClaim(cluster.api, namespace, 'data');
      const pv = await cluster.api.core.readPersistentVolume({ name: pvc.spec?.volumeName ?? '' });
      await writeFile(join(cluster.node.volumePath(pv), 'who.txt'), text);
      await cluster.api.core.createNamespacedPod({
        namespace,
        body: {
          metadata: { name: 'reader' },
          spec: {
            restartPolicy: 'Never',
            containers: [{ name: 'r', image: 'haven/haven:dev', command: ['node', '-e', "process.stdout.write(require('fs').readFileSync(process.argv[1]))", '/data/who.txt'], volumeMounts: [{ name: 'd', mountPath: '/data' }] }],
            volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }],
          },
        },
      });
    }
    const podA = await podInPhase(a.api, nsA, 'reader', ['Succeeded', 'Failed']);
    const podB = await podInPhase(b.api, nsB, 'reader', ['Succeeded', 'Failed']);
    expect(podA.spec?.nodeName).toBe(a.node.nodeNames[0]);
    expect(b.node.nodeNames).toContain(podB.spec?.nodeName);
    expect(await a.node.containerLog(podA, 'r')).toBe('from a');
    expect(await b.node.containerLog(podB, 'r')).toBe('from b');
  });
});
