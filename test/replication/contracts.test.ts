import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resetNamespacesRequestCodec } from '../../proto/agent/index.js';
import { versionDecoder, versionedCodec } from '../../proto/agent/codec.js';
import { ResetNamespacesRequestV1 } from '../../proto/agent/reset-namespaces.js';

/** Messages as released control planes sent them; never edit these, add new ones. */
function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`./fixtures/agent/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;
}

describe('the replication contract between the control plane and the destination agent', () => {
  it('decodes a reset request as released (v1) with the managed-by rule applied: no override', () => {
    const released = fixture('reset-namespaces-request.v1.json');
    expect(resetNamespacesRequestCodec.decode(released)).toEqual({ ...released, version: 2, replaceUnmanagedNamespaces: false });
  });

  it('requires the override in v2, a boolean, naming the field otherwise', () => {
    expect(resetNamespacesRequestCodec.decode(fixture('reset-namespaces-request.v2.json'))).toEqual(fixture('reset-namespaces-request.v2.json'));
    const v2 = { ...fixture('reset-namespaces-request.v2.json'), replaceUnmanagedNamespaces: true };
    expect(resetNamespacesRequestCodec.decode(v2).replaceUnmanagedNamespaces).toBe(true);
    expect(() => resetNamespacesRequestCodec.decode({ ...v2, replaceUnmanagedNamespaces: 'yes' })).toThrow(/replaceUnmanagedNamespaces/);
    const { replaceUnmanagedNamespaces: _omitted, ...without } = v2;
    expect(() => resetNamespacesRequestCodec.decode(without)).toThrow(/replaceUnmanagedNamespaces/);
  });

  it('an agent that knows only v1 refuses a v2 request instead of ignoring the rule', () => {
    const v1Only = versionedCodec('reset-namespaces request', { 1: versionDecoder(ResetNamespacesRequestV1, (value) => value) });
    expect(() => v1Only.decode(fixture('reset-namespaces-request.v2.json'))).toThrow();
  });
});
