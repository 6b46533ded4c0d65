import { chmod, chown, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startEmulatedCluster, type EmulatedCluster } from './helpers/cluster.js';
import { aClaim, boundClaim, podInPhase } from './helpers/objects.js';

const HAVEN_IMAGE = 'haven/haven:dev';

/** A Haven-image pod running `script` with the claim `data` at /data; it prints what it found. */
function pod(name: string, script: string, container: Partial<V1Container> = {}, spec: Partial<V1Pod['spec']> = {}): V1Pod {
  return {
    metadata: { name },
    spec: {
      restartPolicy: 'Never',
      containers: [{ name: 'c', image: HAVEN_IMAGE, command: ['node', '-e', script], volumeMounts: [{ name: 'data', mountPath: '/data' }], ...container }],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
      ...spec,
    },
  };
}

/** Prints `ok` or the error code of an fs call on `/data/<path>`; the mount map env carries the host path. */
const TRY = (call: string) =>
  `const fs = require('fs'); const at = (p) => JSON.parse(process.env.HAVEN_EMULATOR_MOUNTS)['/data'] + '/' + p;
   try { ${call}; console.log('ok'); } catch (err) { console.log(err.code); }`;

describe('what the emulated node enforces on a container process', () => {
  let cluster: EmulatedCluster;
  let namespace: string;
  let volume: string;

  beforeAll(async () => {
    cluster = await startEmulatedCluster();
    namespace = await cluster.namespace('sec');
    await cluster.api.core.createNamespacedPersistentVolumeClaim({ namespace, body: aClaim('data') });
    const pvc = await boundClaim(cluster.api, namespace, 'data');
    volume = cluster.node.volumePath(await cluster.api.core.readPersistentVolume({ name: pvc.spec?.volumeName ?? '' }));
    // PostgreSQL's data directory: only its owner, uid 999, may enter.
    await mkdir(join(volume, 'pgdata'), { mode: 0o700 });
    await writeFile(join(volume, 'pgdata', 'PG_VERSION'), '16\n', { mode: 0o600 });
    await chown(join(volume, 'pgdata', 'PG_VERSION'), 999, 999);
    await chown(join(volume, 'pgdata'), 999, 999);
    await chmod(join(volume, 'pgdata'), 0o700);
  });
  afterAll(async () => cluster?.stop());

  async function run(body: V1Pod): Promise<{ pod: V1Pod; log: string }> {
    await cluster.api.core.createNamespacedPod({ namespace, body });
    const done = await podInPhase(cluster.api, namespace, body.metadata?.name ?? '', ['Succeeded', 'Failed']);
    return { pod: done, log: (await cluster.node.containerLog(done, 'c')).trim() };
  }

  it("runs the image's USER (node, uid 1000) unless runAsUser says otherwise", async () => {
    // Node always lists the effective gid among the groups.
    const script = "console.log(process.getuid(), process.getgid(), [...new Set(process.getgroups())].sort().join(','))";
    expect((await run(pod('default-user', script))).log).toBe('1000 1000 1000');
    const set = await run(pod('run-as', script, {}, { securityContext: { runAsUser: 2000, runAsGroup: 3000, supplementalGroups: [4000] } }));
    expect(set.log).toBe('2000 3000 3000,4000');
    await cluster.api.core.createNamespacedPod({ namespace, body: pod('non-root', script, { securityContext: { runAsUser: 0, runAsNonRoot: true } }) });
    const waiting = await eventually(async () => {
      const found = await cluster.api.core.readNamespacedPod({ namespace, name: 'non-root' });
      return found.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerConfigError' ? found : undefined;
    }, 'runAsNonRoot pod to be refused');
    expect(waiting.status?.containerStatuses?.[0]?.state?.waiting?.message).toMatch(/runAsNonRoot/);
  });

  it('keeps a uid-1000 container out of a 0700 directory of uid 999, and lets uid 999 read it', async () => {
    const read = TRY("fs.readFileSync(at('pgdata/PG_VERSION'))");
    expect((await run(pod('as-1000', read, { securityContext: { runAsUser: 1000 } }))).log).toBe('EACCES');
    expect((await run(pod('as-999', read, { securityContext: { runAsUser: 999 } }))).log).toBe('ok');
  });

  it('gives root only the capabilities of its securityContext: drop ALL and add DAC_READ_SEARCH reads but cannot write or chown', async () => {
    const caps = { runAsUser: 0, capabilities: { drop: ['ALL'], add: ['DAC_READ_SEARCH'] } };
    const read = TRY("fs.readFileSync(at('pgdata/PG_VERSION'))");
    const write = TRY("fs.writeFileSync(at('pgdata/new'), 'x')");
    const chownCall = TRY("fs.chownSync(at('pgdata/PG_VERSION'), 0, 0)");
    expect((await run(pod('caps-read', read, { securityContext: caps }))).log).toBe('ok');
    expect((await run(pod('caps-write', write, { securityContext: caps }))).log).toBe('EACCES');
    expect((await run(pod('caps-chown', chownCall, { securityContext: caps }))).log).toBe('EPERM');
    // The runtime's default set includes CHOWN and DAC_OVERRIDE for root.
    expect((await run(pod('default-root', write, { securityContext: { runAsUser: 0 } }))).log).toBe('ok');
    expect((await stat(join(volume, 'pgdata', 'PG_VERSION'))).uid).toBe(999);
  });

  it('makes a readOnly mount unwritable, even for root', async () => {
    const write = TRY("fs.writeFileSync(at('attempt.txt'), 'x')");
    const mount = [{ name: 'data', mountPath: '/data', readOnly: true }];
    expect((await run(pod('ro-mount', write, { volumeMounts: mount, securityContext: { runAsUser: 0 } }))).log).toBe('EROFS');
    const claimReadOnly = { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data', readOnly: true } }] };
    expect((await run(pod('ro-claim', write, { securityContext: { runAsUser: 0 } }, claimReadOnly))).log).toBe('EROFS');
    await expect(readFile(join(volume, 'attempt.txt'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('kills a container over its memory limit as the OOM killer does: OOMKilled, exit 137', async () => {
    // Bounded: without enforcement it holds 512 MiB, then exits 0.
    const hog = "const held = []; const t = setInterval(() => { held.push(Buffer.alloc(16 * 1024 * 1024, 1)); if (held.length === 32) { clearInterval(t); setTimeout(() => process.exit(0), 2000); } }, 20);";
    const { pod: done } = await run(pod('hog', hog, { resources: { limits: { memory: '128Mi' } } }));
    expect(done.status?.phase).toBe('Failed');
    expect(done.status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
  });

  it('gives an fsGroup pod its volume: group set, setgid directories, group-writable files', async () => {
    await writeFile(join(volume, 'shared.txt'), 'x', { mode: 0o600 });
    const write = TRY("fs.appendFileSync(at('shared.txt'), 'y')");
    const { log } = await run(pod('fs-group', write, { securityContext: { runAsUser: 1500 } }, { securityContext: { fsGroup: 2500 } }));
    expect(log).toBe('ok');
    const root = await stat(volume);
    expect([root.gid, root.mode & 0o2070]).toEqual([2500, 0o2070]);
  });
});
