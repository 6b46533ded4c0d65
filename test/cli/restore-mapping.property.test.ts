import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mappingOf } from '../../services/cli/commands/restores.js';

const name = fc.oneof(fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,10}[a-z0-9])?$/), fc.constantFrom('constructor', 'tostring', 'valueof'));

describe('--namespace-mapping / --storage-class-mapping, generated input', () => {
  it('reads distinct FROM:TO pairs into exactly that map, and refuses a source named twice', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(name, name), { selector: ([from]) => from, minLength: 1, maxLength: 6 }), name, (pairs, other) => {
        const mapping = mappingOf('namespace-mapping', pairs.map(([from, to]) => `${from}:${to}`));
        expect(Object.keys(mapping)).toHaveLength(pairs.length);
        for (const [from, to] of pairs) expect(Object.hasOwn(mapping, from) && mapping[from]).toBe(to);
        const [again] = pairs[pairs.length - 1]!;
        expect(() => mappingOf('namespace-mapping', [...pairs.map(([f, t]) => `${f}:${t}`), `${again}:${other}`])).toThrow(`maps "${again}" twice`);
      }),
    );
  });
});
