import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resetNamespacesRequestCodec } from '../../proto/agent/index.js';

/** Messages as released control planes sent them; never edit these, add new ones. */
function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`./fixtures/agent/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;
}

describe('the replication contract between the control plane and the destination agent', () => {
  it('decodes a reset request as released, which carries no override: unmanaged namespaces stay refused', () => {
    const released = resetNamespacesRequestCodec.decode(fixture('reset-namespaces-request.v1.json'));
    expect(released).toEqual(fixture('reset-namespaces-request.v1.json'));
    expect(released.replaceUnmanagedNamespaces).toBeUndefined();
  });

  it('decodes the override within v1, and names the field when it is not a boolean', () => {
    const withOverride = { ...fixture('reset-namespaces-request.v1.json'), replaceUnmanagedNamespaces: true };
    expect(resetNamespacesRequestCodec.decode(withOverride).replaceUnmanagedNamespaces).toBe(true);
    expect(() => resetNamespacesRequestCodec.decode({ ...withOverride, replaceUnmanagedNamespaces: 'yes' })).toThrow(/replaceUnmanagedNamespaces/);
  });
});
