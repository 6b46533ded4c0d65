import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { ApiextensionsV1Api, CoreV1Api, KubeConfig, loadAllYaml, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import type { Component, ComponentState } from '../component.js';
import { logDir, repoRoot, runDir } from '../paths.js';
import { StackComponentError, say } from '../progress.js';
import { isRunning, startDaemon, stopGroup, waitUntil } from '../processes.js';
import { reusablePort } from '../ports.js';
import { debExtract, goBuild } from '../toolchain.js';

export const kubeVersion = 'v1.33.13';
const etcdPackage = { name: 'etcd-server', version: '3.4.23-4+b4' };
const crdManifests = [join(repoRoot, 'deploy', 'crds', 'snapshot.storage.k8s.io.yaml')];

/**
 * The controllers a backup product meets in real clusters. Without them namespaces stay Terminating,
 * Deployments never get pods, PVCs never bind and protected PVCs are never released.
 */
const controllers = [
  'namespace-controller',
  'garbage-collector-controller',
  'serviceaccount-controller',
  'serviceaccount-token-controller',
  'root-ca-certificate-publisher-controller',
  'deployment-controller',
  'replicaset-controller',
  'statefulset-controller',
  'daemonset-controller',
  'job-controller',
  'cronjob-controller',
  'ttl-after-finished-controller',
  'pod-garbage-collector-controller',
  'clusterrole-aggregation-controller',
  'ephemeral-volume-controller',
  'endpoints-controller',
  'endpointslice-controller',
  'persistentvolume-binder-controller',
  'persistentvolume-protection-controller',
  'persistentvolumeclaim-protection-controller',
];

let kubeBin = '';
let etcdBinary = '';

/** Reads an object from the API server with the cluster's CA; resolves with the HTTP status code. */
function probe(port: number, path: string, token: string, ca: Buffer | undefined): Promise<number> {
  return new Promise((resolveProbe) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: 'GET', headers: { Authorization: `Bearer ${token}` }, timeout: 2000, ...(ca ? { ca } : { rejectUnauthorized: false }) },
      (res) => {
        res.resume();
        resolveProbe(res.statusCode ?? 0);
      },
    );
    req.on('error', () => resolveProbe(0));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

async function etcdHealthy(port: number): Promise<boolean> {
  const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) });
  return response.ok && ((await response.json()) as { health?: string }).health === 'true';
}

function kubeconfigYaml(clusterName: string, port: number, caPem: string, token: string): string {
  const ca = Buffer.from(caPem).toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    `current-context: ${clusterName}`,
    'clusters:',
    `- name: ${clusterName}`,
    '  cluster:',
    `    server: https://127.0.0.1:${port}`,
    `    certificate-authority-data: ${ca}`,
    'contexts:',
    `- name: ${clusterName}`,
    '  context:',
    `    cluster: ${clusterName}`,
    '    user: admin',
    'users:',
    '- name: admin',
    '  user:',
    `    token: ${token}`,
    '',
  ].join('\n');
}

async function installCrds(component: string, kubeconfigPath: string): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const api = kc.makeApiClient(ApiextensionsV1Api);
  for (const file of crdManifests) {
    // loadAllYaml maps wire names (x-kubernetes-validations, …) onto the typed model; plain JSON would
    // have them silently dropped by the client's serializer, losing the CEL rules.
    for (const crd of loadAllYaml(readFileSync(file, 'utf8')) as V1CustomResourceDefinition[]) {
      const name = crd.metadata?.name ?? '';
      try {
        const existing = await api.readCustomResourceDefinition({ name }).catch((err: { code?: number }) => {
          if (err.code === 404) return undefined;
          throw err;
        });
        if (existing) {
          crd.metadata = { ...crd.metadata, resourceVersion: existing.metadata?.resourceVersion };
          await api.replaceCustomResourceDefinition({ name, body: crd });
        } else {
          await api.createCustomResourceDefinition({ body: crd });
        }
      } catch (err) {
        const body = (err as { body?: unknown }).body;
        throw new StackComponentError(component, `CRD ${name} from ${file} was rejected: ${typeof body === 'string' ? body : String(err)}`);
      }
      await waitUntil(component, `serving CRD ${name}`, async () => {
        const current = await api.readCustomResourceDefinition({ name });
        return (current.status?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True');
      }, { timeoutMs: 30_000 });
    }
  }
}

async function defaultServiceAccountExists(kubeconfigPath: string): Promise<boolean> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  await kc.makeApiClient(CoreV1Api).readNamespacedServiceAccount({ name: 'default', namespace: 'default' });
  return true;
}

/**
 * One Kubernetes control plane: etcd, kube-apiserver and kube-controller-manager, with its own data,
 * ports and kubeconfig. Several can run side by side (restore and replication to another cluster).
 */
export function kubeControlPlane(id: string): Component {
  const name = `kube-${id}`;
  const dir = join(runDir, name);
  const certDir = join(dir, 'certs');
  const kubeconfigPath = join(dir, 'kubeconfig');
  const envName = id === 'a' ? 'KUBECONFIG' : `KUBECONFIG_${id.toUpperCase()}`;
  // Tests that need what only etcd can do (compacting history the API server's continuations point into).
  const etcdEnvName = id === 'a' ? 'KUBE_ETCD_URL' : `KUBE_ETCD_URL_${id.toUpperCase()}`;
  const logs = {
    etcd: join(logDir, `${name}-etcd.log`),
    apiserver: join(logDir, `${name}-apiserver.log`),
    controllers: join(logDir, `${name}-controller-manager.log`),
  };

  function credentials(): { token: string; saKey: string; saPub: string } {
    mkdirSync(certDir, { recursive: true });
    const saKey = join(certDir, 'sa.key');
    const saPub = join(certDir, 'sa.pub');
    if (!existsSync(saKey)) {
      const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
      writeFileSync(saKey, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
      writeFileSync(saPub, pair.publicKey.export({ type: 'spki', format: 'pem' }));
    }
    const tokenFile = join(certDir, 'tokens.csv');
    if (!existsSync(tokenFile)) {
      writeFileSync(tokenFile, `${randomBytes(24).toString('hex')},haven-admin,haven-admin,"system:masters"\n`, { mode: 0o600 });
    }
    const token = readFileSync(tokenFile, 'utf8').split(',')[0] ?? '';
    return { token, saKey, saPub };
  }

  return {
    name,

    async install() {
      const etcdRoot = await debExtract(name, etcdPackage.name, etcdPackage.version);
      etcdBinary = join(etcdRoot, 'usr', 'bin', 'etcd');
      kubeBin = await goBuild(
        name,
        `kube-${kubeVersion}`,
        join(repoRoot, 'deploy', 'local-stack', 'kube-wrapper'),
        ['k8s.io/kubernetes/cmd/kube-apiserver', 'k8s.io/kubernetes/cmd/kube-controller-manager'],
        ['kube-apiserver', 'kube-controller-manager'],
        // Without these the binaries report a placeholder version, which clients and discovery show.
        `-s -w -X k8s.io/component-base/version.gitVersion=${kubeVersion} -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=${kubeVersion.split('.')[1]}`,
      );
    },

    async start(previous: ComponentState | undefined) {
      const { token, saKey, saPub } = credentials();
      const etcdPort = await reusablePort(previous?.ports.etcd);
      const etcdPeerPort = await reusablePort(previous?.ports.etcdPeer);
      const apiPort = await reusablePort(previous?.ports.apiserver);
      const pids: number[] = [];
      const etcdUrl = `http://127.0.0.1:${etcdPort}`;
      const peerUrl = `http://127.0.0.1:${etcdPeerPort}`;
      pids.push(startDaemon({
        component: `${name} etcd`,
        command: etcdBinary,
        args: [
          '--name', name, '--data-dir', join(dir, 'etcd'),
          '--listen-client-urls', etcdUrl, '--advertise-client-urls', etcdUrl,
          '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl,
          '--initial-cluster', `${name}=${peerUrl}`,
          '--quota-backend-bytes', String(2 * 1024 ** 3),
        ],
        logFile: logs.etcd,
      }));
      const etcdPid = pids[0] ?? 0;
      await waitUntil(`${name} etcd`, 'healthy', () => etcdHealthy(etcdPort), { timeoutMs: 30_000, logFile: logs.etcd, alive: () => isRunning(etcdPid, 'etcd') });

      const apiPid = startDaemon({
        component: `${name} kube-apiserver`,
        command: join(kubeBin, 'kube-apiserver'),
        args: [
          '--etcd-servers', etcdUrl,
          '--bind-address', '127.0.0.1', '--advertise-address', '127.0.0.1', '--secure-port', String(apiPort),
          '--cert-dir', certDir,
          '--token-auth-file', join(certDir, 'tokens.csv'),
          '--authorization-mode', 'Node,RBAC',
          '--service-cluster-ip-range', '10.96.0.0/16',
          '--service-node-port-range', '30000-32767',
          '--service-account-issuer', `https://127.0.0.1:${apiPort}`,
          '--service-account-key-file', saPub,
          '--service-account-signing-key-file', saKey,
          '--allow-privileged=true',
          '--enable-priority-and-fairness=false',
          '--v=1',
        ],
        logFile: logs.apiserver,
      });
      pids.push(apiPid);
      await waitUntil(`${name} kube-apiserver`, 'ready', async () => (await probe(apiPort, '/readyz', token, undefined)) === 200, {
        timeoutMs: 90_000,
        logFile: logs.apiserver,
        alive: () => isRunning(apiPid, 'kube-apiserver'),
      });
      // The API server generated its own serving certificate; the file holds the leaf and its CA, which
      // clients trust so that TLS is verified rather than skipped.
      const caPem = readFileSync(join(certDir, 'apiserver.crt'), 'utf8');
      writeFileSync(kubeconfigPath, kubeconfigYaml(name, apiPort, caPem, token), { mode: 0o600 });
      if ((await probe(apiPort, '/readyz', token, Buffer.from(caPem))) !== 200) {
        throw new StackComponentError(name, 'API server certificate is not trusted with its own CA', logs.apiserver);
      }

      const kcmPid = startDaemon({
        component: `${name} kube-controller-manager`,
        command: join(kubeBin, 'kube-controller-manager'),
        args: [
          '--kubeconfig', kubeconfigPath,
          '--authentication-kubeconfig', kubeconfigPath,
          '--authorization-kubeconfig', kubeconfigPath,
          '--leader-elect=false',
          '--secure-port=0',
          '--controllers', controllers.join(','),
          '--service-account-private-key-file', saKey,
          '--root-ca-file', join(certDir, 'apiserver.crt'),
          '--use-service-account-credentials=false',
          '--concurrent-gc-syncs=5',
          '--v=1',
        ],
        logFile: logs.controllers,
      });
      pids.push(kcmPid);
      await installCrds(name, kubeconfigPath);
      say(name, 'waiting for the controller manager (default service account appears)');
      await waitUntil(`${name} kube-controller-manager`, 'reconciling', () => defaultServiceAccountExists(kubeconfigPath), {
        timeoutMs: 60_000,
        logFile: logs.controllers,
        alive: () => isRunning(kcmPid, 'kube-controller-manager'),
      });
      return {
        pids,
        programHint: '',
        ports: { etcd: etcdPort, etcdPeer: etcdPeerPort, apiserver: apiPort },
        env: { [envName]: kubeconfigPath, [etcdEnvName]: etcdUrl },
        extra: { token },
      };
    },

    async healthy(state) {
      const port = state.ports.apiserver;
      const token = state.extra?.token;
      if (port === undefined || !token || !existsSync(join(certDir, 'apiserver.crt'))) return false;
      const hints = ['etcd', 'kube-apiserver', 'kube-controller-manager'];
      if (!state.pids.every((pid, i) => isRunning(pid, hints[i] ?? ''))) return false;
      return (await probe(port, '/readyz', token, readFileSync(join(certDir, 'apiserver.crt')))) === 200;
    },

    async stop(state) {
      // Controllers first, etcd last, so nothing writes to a store that is going away.
      for (const pid of [...state.pids].reverse()) await stopGroup(pid);
    },
  };
}
