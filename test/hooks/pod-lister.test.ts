import { describe, expect, it } from 'vitest';
import { labelSelectorQuery } from '../../activities/cluster/hooks/pod-lister.js';
import { parseLabelSelector, type LabelSelector } from '../../lib/common/label-selector.js';

function parsed(text: string): LabelSelector {
  const result = parseLabelSelector(text);
  if (!result.ok) throw new Error(result.error.message);
  return result.selector;
}

describe('hook pod selector as an API server query', () => {
  it('turns `a:b,c x:y` into set-based requirements the API server ANDs', () => {
    expect(labelSelectorQuery(parsed('a:b,c x:y'))).toBe('a in (b,c),x in (y)');
    expect(labelSelectorQuery(parsed('app.kubernetes.io/name:db'))).toBe('app.kubernetes.io/name in (db)');
  });
});
