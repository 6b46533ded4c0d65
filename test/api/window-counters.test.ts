import { describe, expect, it } from 'vitest';
import { WindowCounters } from '../../services/api/plugins/window-counters.js';

const WINDOW = 1000;

function counters(capacity: number) {
  let now = 0;
  const store = new WindowCounters({ cache: capacity }, () => now);
  const count = (key: string) => {
    let current = 0;
    store.incr(key, (_error, result) => (current = result!.current), WINDOW);
    return current;
  };
  return { count, advance: (ms: number) => (now += ms) };
}

describe('request counters', () => {
  it('keep every running window when full; newcomers share one counter instead of evicting one', () => {
    const { count } = counters(2);
    expect([count('a'), count('a'), count('b')]).toEqual([1, 2, 1]);
    expect([count('c'), count('d'), count('c')]).toEqual([1, 2, 3]);
    expect(count('a')).toBe(3);
  });

  it('drop windows that have ended, so the table frees itself and a renewed client starts from one', () => {
    const { count, advance } = counters(2);
    count('a');
    advance(WINDOW / 2);
    count('b');
    advance(WINDOW / 2);
    // a's window has ended: c takes its place; b's still runs and keeps its count.
    expect(count('c')).toBe(1);
    expect(count('b')).toBe(2);
    expect(count('d')).toBe(1); // shared: the table holds b and c
    advance(WINDOW);
    expect([count('a'), count('d'), count('d')]).toEqual([1, 1, 2]);
  });
});
