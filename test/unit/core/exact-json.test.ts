import { describe, expect, it } from 'vitest';
import { parseExactJson, RawInteger, stringifyExact } from '../../../functions/core/exact-json.js';
import { TABLES } from '../../../functions/core/tables.js';
import { specExample } from './spec-examples.js';

describe('parseExactJson', () => {
  it.each<[string, string, unknown]>([
    ['an integer beyond 2^53', '{"n":12345678901234567891}', { n: new RawInteger('12345678901234567891') }],
    ['a negative one', '[-9007199254740993]', [new RawInteger('-9007199254740993')]],
    [
      'one nested in whitespace',
      '{ "a" : [ 1 , { "b" :\n 98765432109876543210 } ] }',
      {
        a: [1, { b: new RawInteger('98765432109876543210') }],
      },
    ],
    ['the largest safe integer as a number', '{"n":9007199254740991}', { n: 9007199254740991 }],
    ['a 16-digit safe integer as a number', '{"n":1000000000000000}', { n: 1000000000000000 }],
    ['a long fraction as a number', '{"n":1234567890123456789.5}', { n: Number('1234567890123456789.5') }],
    [
      'a long exponent form as a number',
      '{"n":12345678901234567891e0}',
      { n: Number('12345678901234567891') },
    ],
    [
      'long digits in a string as text',
      '{"s":"12345678901234567891","t":"\\"x\\u00e9"}',
      {
        s: '12345678901234567891',
        t: '"xé',
      },
    ],
    [
      'literals next to a long integer',
      '[true,false,null,"",12345678901234567891]',
      [true, false, null, '', new RawInteger('12345678901234567891')],
    ],
  ])('reads %s', (_name, text, expected) => {
    expect(parseExactJson(text)).toEqual(expected);
  });

  it.each(TABLES)('reads the %s example exactly as JSON.parse does', (table) => {
    const text = JSON.stringify(specExample(table));
    expect(parseExactJson(text)).toEqual(JSON.parse(text));
    // The same text with a long digit run takes the exact path and must still agree.
    const padded = `{"pad":[1234567890123456,"12345678901234567890"],"body":${text}}`;
    expect(parseExactJson(padded)).toEqual(JSON.parse(padded));
  });

  it('keeps a key named __proto__ an own key, as JSON.parse does', () => {
    const parsed = parseExactJson('{"__proto__":{"x":12345678901234567891}}') as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
  });

  it.each([
    '{"n":12345678901234567891',
    '{"n":012345678901234567891}',
    '{"n":12345678901234567891,}',
    '[12345678901234567891] x',
    '{"s":"12345678901234567891}',
    '',
  ])('refuses invalid JSON %j with a SyntaxError', (text) => {
    expect(() => parseExactJson(text)).toThrow(SyntaxError);
  });
});

describe('stringifyExact', () => {
  it.each([
    '{"newCounter":12345678901234567891}',
    '{"a":[-98765432109876543210,{"b":"\\"q\\"","c":null}],"d":1.5,"e":true}',
    '{"s":"Zoë 東京\\n","__proto__":{"x":[]}}',
  ])('writes %s back as the API wrote it', (text) => {
    expect(stringifyExact(parseExactJson(text))).toBe(text);
  });

  it('writes the number a plain JSON.stringify would for a RawInteger elsewhere', () => {
    expect(JSON.stringify({ n: new RawInteger('12345678901234567891') })).toBe('{"n":12345678901234567000}');
  });
});
