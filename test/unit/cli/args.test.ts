import { describe, expect, it } from 'vitest';
import { parseInstant } from '../../../functions/cli/args.js';

describe('parseInstant', () => {
  it.each([
    ['2026-11-27', '2026-11-27T00:00:00.000Z'],
    ['2026-11-27T00:00:00Z', '2026-11-27T00:00:00.000Z'],
    ['2026-11-27T01:30+01:00', '2026-11-27T00:30:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
  ])('reads %s as %s', (value, iso) => {
    expect(new Date(parseInstant('from', value)).toISOString()).toBe(iso);
  });

  it.each(['2026-11-27T00:00:00', '2026-02-30', '2026-13-01', '27/11/2026', '2026-11-27 00:00'])(
    'refuses %s, saying both forms it takes',
    (value) => {
      expect(() => parseInstant('from', value)).toThrow(
        /--from ".*" is neither a UTC date \(2026-11-27\) nor an ISO instant with a zone/,
      );
    },
  );
});
