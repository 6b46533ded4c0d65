import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayConnectionOptions } from '../../lib/cluster-access/gateway-connection.js';
import { startGateway, type RunningGateway } from '../../services/gateway/gateway.js';
import { PrincipalResolver } from '../../services/gateway/principals.js';
import { createCluster } from '../api/helpers/fixtures.js';
import { startBackupStack, type BackupStack } from '../backup/helpers/backup-stack.js';

let stack: BackupStack;
let gateway: RunningGateway;
let dir: string;
let caCertPem: string;
let token: string;

beforeAll(async () => {
  stack = await startBackupStack();
  dir = await mkdtemp(join(tmpdir(), 'haven-gateway-tls-'));
  // A private CA and a server certificate for 127.0.0.1 it signed: the agent trusts the CA through
  // HAVEN_GATEWAY_CA_CERT.
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=haven-test-ca', '-keyout', 'ca-key.pem', '-out', 'ca.pem');
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=haven-gateway', '-keyout', 'key.pem', '-out', 'server.csr');
  await writeFile(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-days', '1', '-extfile', 'server.ext', '-out', 'cert.pem');
  caCertPem = await readFile(join(dir, 'ca.pem'), 'utf8');
  const engine = stack.api.config.workflowEngine!;
  gateway = await startGateway({
    upstream: engine.address,
    namespace: engine.namespace,
    listen: '127.0.0.1:0',
    installationKeyring: engine.payloadKeyring,
    principals: new PrincipalResolver(stack.api.running.database.db, engine.payloadKeyring),
    payloadKeys: stack.payloadKeys,
    tls: { certChain: await readFile(join(dir, 'cert.pem')), privateKey: await readFile(join(dir, 'key.pem')) },
  });
  token = (await createCluster(stack.client)).agentToken;
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  await stack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the gateway over TLS', () => {
  it('serves an agent that trusts its certificate', async () => {
    const connection = await NativeConnection.connect(gatewayConnectionOptions({ address: gateway.address, namespace: 'default', tls: { caCertPem } }, token));
    try {
      const info = await connection.workflowService.getSystemInfo({});
      expect(info.capabilities).toBeTruthy();
    } finally {
      await connection.close();
    }
  });

  it('is not reached in plaintext, nor by an agent that does not trust its certificate', async () => {
    await expect(NativeConnection.connect(gatewayConnectionOptions({ address: gateway.address, namespace: 'default' }, token))).rejects.toThrow();
    await expect(NativeConnection.connect(gatewayConnectionOptions({ address: gateway.address, namespace: 'default', tls: {} }, token))).rejects.toThrow();
  });
});
