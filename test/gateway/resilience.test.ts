import { Connection } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { generateKeyEntry, parseKeyring } from '../../lib/common/secrets.js';
import type { OrganizationPayloadKeys } from '../../lib/db/organization-payload-keys.js';
import { startGateway } from '../../services/gateway/gateway.js';
import type { PrincipalResolver } from '../../services/gateway/principals.js';
import { stackEnv } from '../support/stack-env.js';
import { statusOf } from './helpers/grpc-status.js';

const installationKeyring = parseKeyring(generateKeyEntry('p1'));
const options = { upstream: stackEnv('TEMPORAL_ADDRESS'), namespace: 'default', installationKeyring, payloadKeys: {} as OrganizationPayloadKeys };

describe('the gateway under trouble', () => {
  it('answers UNAVAILABLE while it cannot check tokens (its database is away), and keeps serving', async () => {
    let databaseUp = false;
    const principals = {
      resolve: async () => {
        if (!databaseUp) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
        return undefined;
      },
    } as unknown as PrincipalResolver;
    const gateway = await startGateway({ ...options, listen: '127.0.0.1:0', principals });
    try {
      // No client-side retries: the answer itself is what is checked.
      const call = () => Connection.connect({ address: gateway.address, apiKey: 'hvn_agent_x', tls: false, interceptors: [] });
      expect(await statusOf(call)).toBe(14);
      databaseUp = true;
      // The same process still answers: now with the token's verdict.
      expect(await statusOf(call)).toBe(16);
    } finally {
      await gateway.close();
    }
  });

  it('will not serve plaintext on an address other hosts reach unless told it sits behind TLS', async () => {
    const principals = { resolve: async () => undefined } as unknown as PrincipalResolver;
    await expect(startGateway({ ...options, listen: '0.0.0.0:0', principals })).rejects.toThrow(/HAVEN_GATEWAY_ALLOW_PLAINTEXT/);
    const behindProxy = await startGateway({ ...options, listen: '0.0.0.0:0', principals, allowPlaintext: true });
    await behindProxy.close();
  });
});
