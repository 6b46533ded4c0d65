import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchesLabels, parseLabelSelector, toKubernetesSelector, type LabelRequirement } from '../../lib/common/label-selector.js';

// Names that are also properties of every plain object: a lookup that is not own-only finds those.
const PROTOTYPE_NAMES = ['constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'];

const name = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/),
  fc.constantFrom(...PROTOTYPE_NAMES),
);
const prefix = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,8}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,8}[a-z0-9])?){0,3}$/);
const key = fc.tuple(fc.option(prefix, { nil: undefined }), name).map(([p, n]) => (p === undefined ? n : `${p}/${n}`));
const separator = fc.constantFrom(' ', '  ', '\t', '\n', ' \t ');

/** Selectors as their parts: distinct keys, each with one or more (possibly repeated) values. */
const requirements = fc.uniqueArray(fc.record({ key, values: fc.array(name, { minLength: 1, maxLength: 4 }) }), {
  selector: (r) => r.key,
  maxLength: 5,
});

function spell(parts: readonly LabelRequirement[], separators: readonly string[]): string {
  return parts.map((r, i) => `${separators[i % separators.length]!}${r.key}:${r.values.join(',')}`).join('');
}

function parsed(text: string) {
  const result = parseLabelSelector(text);
  if (!result.ok) throw new Error(`"${text}" did not parse: ${result.error.message}`);
  return result.selector;
}

describe('label selector parser, generated input', () => {
  it('reads back every selector it can spell, values deduplicated in first-seen order', () => {
    fc.assert(
      fc.property(requirements, fc.array(separator, { minLength: 1, maxLength: 3 }), (parts, separators) => {
        const selector = parsed(spell(parts, separators));
        expect(selector.requirements).toEqual(parts.map((r) => ({ key: r.key, values: [...new Set(r.values)] })));
        expect(toKubernetesSelector(selector).matchExpressions).toEqual(
          selector.requirements.map((r) => ({ key: r.key, operator: 'In', values: r.values })),
        );
      }),
    );
  });

  it('matches exactly the label sets where every key is present with one of its values', () => {
    const labels = fc.array(fc.tuple(fc.oneof(key, fc.constantFrom(...PROTOTYPE_NAMES)), name), { maxLength: 8 });
    fc.assert(
      fc.property(requirements, labels, fc.boolean(), (parts, pairs, satisfy) => {
        const selector = parsed(spell(parts, [' ']));
        const entries = new Map(pairs);
        // Half the cases are built to match, so both outcomes are exercised.
        if (satisfy) for (const r of parts) entries.set(r.key, r.values[0]!);
        const object = Object.fromEntries(entries);
        const expected = selector.requirements.every((r) => entries.has(r.key) && r.values.includes(entries.get(r.key)!));
        expect(matchesLabels(selector, object)).toBe(expected);
        if (satisfy) expect(expected).toBe(true);
      }),
    );
  });

  it('never throws, and an error names a column where a term starts or inside it', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.stringMatching(/^[a-z:,/. _-]{0,40}$/)), (text) => {
        const result = parseLabelSelector(text);
        if (result.ok) return;
        const { column, message } = result.error;
        expect(column).toBeGreaterThanOrEqual(1);
        expect(column).toBeLessThanOrEqual(text.length + 1);
        expect(message.startsWith(`column ${column}: `)).toBe(true);
        // An empty value is pointed at where it is missing: just past its ':' or ',', which is past the
        // text at its very end, or the space before the next term. Every other error points into a term.
        if (column <= text.length && !message.includes('empty value')) expect(/\s/.test(text[column - 1]!)).toBe(false);
      }),
    );
  });

  it('points at the first broken term, wherever it sits among good ones', () => {
    const broken = fc.constantFrom(
      { text: 'nocolon', offset: 0 },
      { text: 'Upper.Prefix/x:y', offset: 0 },
      { text: 'k:', offset: 2 },
      { text: 'k:a,,b', offset: 4 },
      { text: 'k:-bad', offset: 2 },
      { text: `k:${'v'.repeat(64)}`, offset: 2 },
    );
    fc.assert(
      fc.property(requirements, broken, fc.nat(), (parts, bad, at) => {
        // The broken term's key must not collide with a good one (that would be a different error first).
        const good = parts.filter((r) => r.key !== 'k' && r.key !== 'nocolon');
        const index = at % (good.length + 1);
        const before = spell(good.slice(0, index), [' ']);
        const text = `${before} ${bad.text}${spell(good.slice(index), [' '])}`;
        const result = parseLabelSelector(text);
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.error.column).toBe(before.length + 2 + bad.offset);
      }),
    );
  });
});
