import { describe, expect, it } from 'vitest';
import { closestMatch, didYouMean } from '../../../functions/core/did-you-mean.js';

const FLAGS = ['from', 'to', 'table', 'pbx', 'page-size', 'grid-minutes', 'json', 'out'];

describe('closestMatch', () => {
  it.each([
    ['form', 'from'],
    ['tabel', 'table'],
    ['page-sise', 'page-size'],
    ['gridminutes', 'grid-minutes'],
    ['JSON', 'json'],
    ['stauts', 'status'],
  ])('offers %s -> %s', (word, expected) => {
    expect(closestMatch(word, [...FLAGS, 'status', 'rerun'])).toBe(expected);
  });

  it('offers nothing far away', () => {
    expect(closestMatch('verbose', FLAGS)).toBeUndefined();
    expect(closestMatch('x', FLAGS)).toBeUndefined();
  });

  it('says it as a sentence, or says nothing', () => {
    expect(didYouMean('pbxId', ['pbxIds', 'tables'])).toBe(' Did you mean "pbxIds"?');
    expect(didYouMean('zzz', ['pbxIds'])).toBe('');
  });
});
