import { describe, expect, it } from 'vitest';

import { relativeTime, utc } from './format';

describe('time formatting', () => {
  it('says how far away a moment is, in the largest units that matter', () => {
    const now = Date.UTC(2026, 10, 23, 12, 0, 0);
    expect(relativeTime(now + 7 * 86_400_000 - 1000, now)).toBe('in 6 d 23 h');
    expect(relativeTime(now + 3_723_000, now)).toBe('in 1 h 2 min');
    expect(relativeTime(now + 65_000, now)).toBe('in 1 min 5 s');
    expect(relativeTime(now - 3000, now)).toBe('3 s ago');
  });

  it('writes UTC times unambiguously', () => {
    expect(utc(new Date(Date.UTC(2026, 10, 23, 19, 40, 12)))).toBe('2026-11-23 19:40:12 UTC');
  });
});
