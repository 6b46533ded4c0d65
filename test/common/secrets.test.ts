import { describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret, generateKeyEntry, needsReencryption, parseKeyring } from '../../lib/common/secrets.js';

describe('secret encryption at rest', () => {
  const keyring = parseKeyring(generateKeyEntry('k1'));

  it('round-trips and never contains the plaintext', () => {
    const envelope = encryptSecret(keyring, 'top-secret-value', 'ctx');
    expect(envelope).not.toContain('top-secret-value');
    expect(envelope.startsWith('v1.k1.')).toBe(true);
    expect(decryptSecret(keyring, envelope, 'ctx')).toBe('top-secret-value');
  });

  it('uses a fresh IV each time', () => {
    expect(encryptSecret(keyring, 'x', 'ctx')).not.toBe(encryptSecret(keyring, 'x', 'ctx'));
  });

  it('refuses an envelope moved to another record (context is authenticated)', () => {
    const envelope = encryptSecret(keyring, 'x', 'storage-target:org-a:1');
    expect(() => decryptSecret(keyring, envelope, 'storage-target:org-b:1')).toThrow();
  });

  it('refuses a tampered ciphertext', () => {
    const envelope = encryptSecret(keyring, 'hello', 'ctx');
    const parts = envelope.split('.');
    parts[4] = Buffer.from('jello').toString('base64url');
    expect(() => decryptSecret(keyring, parts.join('.'), 'ctx')).toThrow();
  });

  it('rotates: a new first key encrypts, old keys still decrypt until removed', () => {
    const oldEntry = generateKeyEntry('old');
    const oldRing = parseKeyring(oldEntry);
    const envelope = encryptSecret(oldRing, 'value', 'ctx');
    const rotated = parseKeyring(`${generateKeyEntry('new')},${oldEntry}`);
    expect(decryptSecret(rotated, envelope, 'ctx')).toBe('value');
    expect(needsReencryption(rotated, envelope)).toBe(true);
    const fresh = encryptSecret(rotated, 'value', 'ctx');
    expect(needsReencryption(rotated, fresh)).toBe(false);
    expect(() => decryptSecret(parseKeyring(generateKeyEntry('new')), envelope, 'ctx')).toThrow(/no longer lists/);
  });

  it.each([
    [undefined, 'not set'],
    ['nokeyid', 'no "<keyId>:"'],
    ['k1:c2hvcnQ=', 'must decode to 32 bytes'],
    [`${generateKeyEntry('k1')},${generateKeyEntry('k1')}`, 'twice'],
  ])('rejects HAVEN_SECRET_KEY %j', (spec, message) => {
    expect(() => parseKeyring(spec)).toThrow(message);
  });
});
