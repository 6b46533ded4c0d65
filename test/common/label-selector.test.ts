import { describe, expect, it } from 'vitest';
import { matchesLabels, parseLabelSelector, toKubernetesSelector } from '../../lib/common/label-selector.js';

function parse(text: string) {
  const result = parseLabelSelector(text);
  if (!result.ok) throw new Error(result.error.message);
  return result.selector;
}

function errorOf(text: string) {
  const result = parseLabelSelector(text);
  if (result.ok) throw new Error(`"${text}" parsed`);
  return result.error;
}

describe('label selector syntax', () => {
  it('reads `a:b,c x:y` as (a = b OR a = c) AND x = y', () => {
    const selector = parse('a:b,c x:y');
    expect(selector.requirements).toEqual([
      { key: 'a', values: ['b', 'c'] },
      { key: 'x', values: ['y'] },
    ]);
    expect(matchesLabels(selector, { a: 'b', x: 'y' })).toBe(true);
    expect(matchesLabels(selector, { a: 'c', x: 'y' })).toBe(true);
    expect(matchesLabels(selector, { a: 'd', x: 'y' })).toBe(false);
    expect(matchesLabels(selector, { a: 'b' })).toBe(false);
  });

  it('treats an empty or blank string as selecting everything', () => {
    expect(parse('').requirements).toEqual([]);
    expect(parse('   ').requirements).toEqual([]);
    expect(matchesLabels(parse(''), {})).toBe(true);
  });

  it('accepts prefixed keys and extra spaces between terms', () => {
    expect(parse('  app.kubernetes.io/name:web   tier:front ').requirements.map((r) => r.key)).toEqual(['app.kubernetes.io/name', 'tier']);
  });

  it('converts to Kubernetes In requirements', () => {
    expect(toKubernetesSelector(parse('a:b,c'))).toEqual({ matchExpressions: [{ key: 'a', operator: 'In', values: ['b', 'c'] }] });
  });

  it.each([
    ['a', 1, 'missing ":"'],
    ['a:b c', 5, 'missing ":"'],
    [':b', 1, 'empty label key'],
    ['a:', 3, 'empty value'],
    ['a:b,', 5, 'empty value'],
    ['a:b,,c', 5, 'empty value'],
    ['a:b x:-y', 7, 'value "-y"'],
    ['a:b a:c', 5, 'already used at column 1'],
    ['Bad_Prefix/x:y', 1, 'DNS subdomain'],
    [`k:${'v'.repeat(64)}`, 3, 'longer than 63'],
  ])('rejects %j at column %i', (text, column, message) => {
    const error = errorOf(text);
    expect(error.column).toBe(column);
    expect(error.message).toContain(message);
    expect(error.message).toMatch(new RegExp(`^column ${column}: `));
  });
});
