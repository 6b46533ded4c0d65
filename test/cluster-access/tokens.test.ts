import { describe, expect, it } from 'vitest';
import { mintMoverToken, verifyMoverToken } from '../../lib/cluster-access/mover-token.js';
import { unwrapTaskToken, wrapTaskToken } from '../../lib/cluster-access/task-token.js';
import { generateKeyEntry, parseKeyring } from '../../lib/common/secrets.js';

const oldKey = generateKeyEntry('old');
const newKey = generateKeyEntry('new');
const claims = { clusterId: 'c1', jobId: 'j1', taskQueue: 'mover.c1.j1.0', expiresAt: Date.now() + 60_000 };

describe('task tokens the gateway hands out', () => {
  const keyring = parseKeyring(newKey);
  const server = Buffer.from('server-task-token');

  it('unwrap only for the principal they were handed to', () => {
    const wrapped = wrapTaskToken(keyring, 'cluster:a', server);
    expect(unwrapTaskToken(keyring, 'cluster:a', wrapped)).toEqual(server);
    expect(unwrapTaskToken(keyring, 'cluster:b', wrapped)).toBeUndefined();
    expect(unwrapTaskToken(keyring, 'mover:cluster:a', wrapped)).toBeUndefined();
  });

  it('refuse a token whose server part, MAC or key id was changed, and a bare server token', () => {
    const wrapped = wrapTaskToken(keyring, 'cluster:a', server);
    const flipped = Buffer.from(wrapped);
    flipped[flipped.length - 1] = flipped[flipped.length - 1]! ^ 1;
    expect(unwrapTaskToken(keyring, 'cluster:a', flipped)).toBeUndefined();
    expect(unwrapTaskToken(keyring, 'cluster:a', server)).toBeUndefined();
    expect(unwrapTaskToken(keyring, 'cluster:a', Buffer.concat([wrapped.subarray(0, 5), Buffer.from('x'), wrapped.subarray(6)]))).toBeUndefined();
  });

  it('die when the installation key is rotated: a retired key may be known outside the control plane', () => {
    const wrapped = wrapTaskToken(parseKeyring(oldKey), 'cluster:a', server);
    expect(unwrapTaskToken(parseKeyring(`${newKey},${oldKey}`), 'cluster:a', wrapped)).toBeUndefined();
  });
});

describe('mover tokens', () => {
  const keyring = parseKeyring(newKey);

  it('carry their claims, verified by signature and expiry', () => {
    expect(verifyMoverToken(keyring, mintMoverToken(keyring, claims), Date.now())).toEqual(claims);
    expect(verifyMoverToken(keyring, mintMoverToken(keyring, claims), claims.expiresAt + 1)).toBeUndefined();
  });

  it('cannot be re-aimed at another queue, or one that is not their job\'s', () => {
    const [prefix, keyId, , mac] = mintMoverToken(keyring, claims).split('.');
    const body = Buffer.from(JSON.stringify({ ...claims, taskQueue: 'cluster.c1' })).toString('base64url');
    expect(verifyMoverToken(keyring, [prefix, keyId, body, mac].join('.'), Date.now())).toBeUndefined();
    expect(verifyMoverToken(keyring, mintMoverToken(keyring, { ...claims, taskQueue: 'cluster.c1' }), Date.now())).toBeUndefined();
    expect(verifyMoverToken(keyring, mintMoverToken(keyring, { ...claims, taskQueue: 'mover.c2.j1.0' }), Date.now())).toBeUndefined();
  });

  it('signed under a retired key are refused', () => {
    expect(verifyMoverToken(parseKeyring(`${newKey},${oldKey}`), mintMoverToken(parseKeyring(oldKey), claims), Date.now())).toBeUndefined();
  });
});
