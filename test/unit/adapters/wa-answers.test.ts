import { describe, expect, it } from 'vitest';
import { parseJson } from '../../../functions/adapters/wa-answers.js';
import { RawInteger } from '../../../functions/core/exact-json.js';

describe('parseJson', () => {
  it.each<[string, unknown]>([
    [
      '{"data":[{"newCounter":12345678901234567891}]}',
      { data: [{ newCounter: new RawInteger('12345678901234567891') }] },
    ],
    ['{"n":1643898447499}', { n: 1643898447499 }],
    ['<html>502</html>', undefined],
    ['{"truncated":', undefined],
  ])('reads %s', (text, expected) => {
    expect(parseJson(text)).toEqual(expected);
  });
});
