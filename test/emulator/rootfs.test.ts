import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moverContainerSecurity, MOVER_POD_SECURITY } from '../../activities/cluster/mover-pods/mover-security.js';
import { DEFAULT_HAVEN_IMAGE } from '../../lib/common/haven-image.js';
import type { HavenImageBuild } from '../../scripts/image/build.js';
import { havenImageBuild } from '../image/helpers/image-container.js';
import { startEmulatedCluster, type EmulatedCluster } from './helpers/cluster.js';
import { aClaim, boundClaim, podInPhase } from './helpers/objects.js';

/** Reports what the container sees: which Node, where, the volume's file, and whether writes land. */
const PROBE = `const fs = require('fs');
const attempt = (path) => { try { fs.writeFileSync(path, 'x'); return 'ok'; } catch (err) { return err.code; } };
console.log(JSON.stringify({
  node: process.execPath, cwd: process.cwd(), uid: process.getuid(),
  mover: fs.existsSync('/app/services/mover/main.ts'),
  hello: fs.readFileSync('/data/hello.txt', 'utf8'),
  writeData: attempt('/data/written.txt'), writeReadOnly: attempt('/ro/refused.txt'), writeRoot: attempt('/etc/refused'),
}));`;

describe("Haven-image containers run from the image's root filesystem", () => {
  let image: HavenImageBuild;
  let cluster: EmulatedCluster;
  let namespace: string;
  let volume: string;

  beforeAll(async () => {
    image = await havenImageBuild();
    cluster = await startEmulatedCluster({ emulator: { imageRootfs: image.rootfs } });
    namespace = await cluster.namespace('rootfs');
    await cluster.api.core.createNamespacedPersistentVolumeClaim({ namespace, body: aClaim('data') });
    const pvc = await boundClaim(cluster.api, namespace, 'data');
    volume = cluster.node.volumePath(await cluster.api.core.readPersistentVolume({ name: pvc.spec?.volumeName ?? '' }));
    await writeFile(join(volume, 'hello.txt'), 'hello from the volume\n');
  }, 900_000);
  afterAll(async () => cluster?.stop());

  it("runs a mover-like pod with the image's node and /app, its volume at its mountPath, read-only mounts and root refusing writes", async () => {
    const body: V1Pod = {
      metadata: { name: 'mover-like' },
      spec: {
        restartPolicy: 'Never',
        securityContext: MOVER_POD_SECURITY,
        containers: [
          {
            name: 'mover',
            image: DEFAULT_HAVEN_IMAGE,
            command: ['node', '-e', PROBE],
            // Root with the backup mover's capabilities and a read-only root filesystem, as mover pods run.
            securityContext: moverContainerSecurity('backup'),
            volumeMounts: [
              { name: 'data', mountPath: '/data' },
              { name: 'data', mountPath: '/ro', readOnly: true },
            ],
          },
        ],
        volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
      },
    };
    await cluster.api.core.createNamespacedPod({ namespace, body });
    const done = await podInPhase(cluster.api, namespace, 'mover-like', ['Succeeded', 'Failed']);
    const log = (await cluster.node.containerLog(done, 'mover')).trim();
    expect(done.status?.phase, log).toBe('Succeeded');
    expect(JSON.parse(log.split('\n').at(-1) ?? '{}')).toEqual({
      node: '/usr/local/bin/node',
      cwd: '/app',
      uid: 0,
      mover: true,
      hello: 'hello from the volume\n',
      writeData: 'ok',
      writeReadOnly: 'EROFS',
      writeRoot: 'EROFS',
    });
    // The write went to the volume itself, not to a copy.
    expect(await readFile(join(volume, 'written.txt'), 'utf8')).toBe('x');
  });

  it("execs into a running container's root as the image's user; a writable root's changes stay out of the image", async () => {
    await cluster.api.core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: 'long-running' },
        spec: {
          containers: [{ name: 'app', image: DEFAULT_HAVEN_IMAGE, command: ['node', '-e', 'setInterval(() => {}, 1000)'], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
          volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
        },
      },
    });
    await podInPhase(cluster.api, namespace, 'long-running', ['Running']);
    const exec = (command: string[]) => cluster.node.executor.exec({ namespace, pod: 'long-running', container: 'app', command });
    expect(await exec(['sh', '-c', 'id -u; hostname; cat /data/hello.txt; pwd'])).toEqual({ stdout: '1000\nlong-running\nhello from the volume\n/app\n', stderr: '', exitCode: 0 });
    // /tmp is the image's, writable by all; without readOnlyRootFilesystem the write lands in the container's own layer.
    expect((await exec(['sh', '-c', 'echo probe > /tmp/probe && cat /tmp/probe'])).stdout).toBe('probe\n');
    expect(existsSync(join(image.rootfs, 'tmp', 'probe'))).toBe(false);
  });
});
