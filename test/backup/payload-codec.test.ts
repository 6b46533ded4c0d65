import { describe, expect, it } from 'vitest';
import type { Payload } from '@temporalio/common';
import { defaultPayloadConverter } from '@temporalio/common';
import { generateKeyEntry, parseKeyring } from '../../lib/common/secrets.js';
import { parsePayloadKeyring, TemporalConfigError } from '../../lib/common/temporal/config.js';
import { ENCRYPTED_ENCODING, EncryptionCodec, installationPayloadKeys, KEY_ID_METADATA, PayloadKeyError } from '../../lib/common/temporal/payload-codec.js';

const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');
const secretMessage = { secretAccessKey: 'very-secret-value', bucket: 'haven' };

describe('the encrypting payload codec', () => {
  const keyA = generateKeyEntry('a');
  const keyB = generateKeyEntry('b');

  it('seals the whole payload, keeps only the encoding and key id visible, and opens it again', async () => {
    const codec = new EncryptionCodec(installationPayloadKeys(parseKeyring(keyA)));
    const original = defaultPayloadConverter.toPayload(secretMessage);
    const [sealed] = await codec.encode([original]);
    expect(Object.keys(sealed!.metadata ?? {}).sort()).toEqual(['encoding', KEY_ID_METADATA]);
    expect(text(sealed!.metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(sealed!.metadata?.[KEY_ID_METADATA])).toBe('a');
    expect(text(sealed!.data)).not.toContain('very-secret-value');
    const [opened] = await codec.decode([sealed!]);
    expect(defaultPayloadConverter.fromPayload(opened!)).toEqual(secretMessage);
  });

  it('still opens payloads sealed with an older key after rotation, and says which key is missing otherwise', async () => {
    const [sealed] = await new EncryptionCodec(installationPayloadKeys(parseKeyring(keyA))).encode([defaultPayloadConverter.toPayload(secretMessage)]);
    const rotated = new EncryptionCodec(installationPayloadKeys(parseKeyring(`${keyB},${keyA}`)));
    expect(defaultPayloadConverter.fromPayload((await rotated.decode([sealed!]))[0]!)).toEqual(secretMessage);
    expect(text((await rotated.encode([defaultPayloadConverter.toPayload(1)]))[0]!.metadata?.[KEY_ID_METADATA])).toBe('b');
    await expect(new EncryptionCodec(installationPayloadKeys(parseKeyring(keyB))).decode([sealed!])).rejects.toThrow(
      new PayloadKeyError('payload was encrypted with key "a", which this installation does not hold'),
    );
  });

  it('refuses a payload whose bytes or key label were altered', async () => {
    const codec = new EncryptionCodec(installationPayloadKeys(parseKeyring(`${keyA},${keyB}`)));
    const [sealed] = await codec.encode([defaultPayloadConverter.toPayload(secretMessage)]);
    const flipped = Buffer.from(sealed!.data!);
    flipped[20] = (flipped[20] ?? 0) ^ 1;
    await expect(codec.decode([{ ...sealed!, data: flipped }])).rejects.toThrow();
    const relabelled: Payload = { ...sealed!, metadata: { ...sealed!.metadata, [KEY_ID_METADATA]: Buffer.from('b') } };
    await expect(codec.decode([relabelled])).rejects.toThrow();
  });

  it('passes unencrypted payloads through, so history written before the codec stays readable', async () => {
    const plain = defaultPayloadConverter.toPayload({ hello: 'world' });
    expect(await new EncryptionCodec(installationPayloadKeys(parseKeyring(keyA))).decode([plain])).toEqual([plain]);
  });

  it('names HAVEN_PAYLOAD_KEY when the key is missing or malformed', () => {
    expect(() => parsePayloadKeyring(undefined)).toThrow(TemporalConfigError);
    expect(() => parsePayloadKeyring(undefined)).toThrow(/^HAVEN_PAYLOAD_KEY is not set/);
    expect(() => parsePayloadKeyring('k1:c2hvcnQ=')).toThrow('HAVEN_PAYLOAD_KEY key "k1" must decode to 32 bytes, got 5');
  });
});
