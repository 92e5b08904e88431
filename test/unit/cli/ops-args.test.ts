import { describe, expect, it } from 'vitest';
import {
  type CliIo,
  gridMinutesOf,
  isoOf,
  oneOf,
  parseFlagsAndArgs,
  parseOpsFlags,
  pbxScopeOf,
  tableChoiceOf,
} from '../../../functions/cli/ops-args.js';
import { UsageError } from '../../../functions/cli/usage.js';

function io(): CliIo & { out: string } {
  const state = { out: '' };
  return Object.assign(state, {
    stdout: { write: (t: string) => (state.out += t) },
    stderr: { write: () => true },
    env: {},
    now: () => 0,
  });
}

describe('the operator commands’ flags', () => {
  it.each([
    [undefined, 'all', 'all'],
    ['call-legs', undefined, 'call-legs'],
    ['all', undefined, 'all'],
  ] as const)('reads --table %s (fallback %s) as %s', (value, fallback, expected) => {
    expect(tableChoiceOf(value, fallback)).toBe(expected);
  });

  it.each([
    [() => tableChoiceOf(undefined), /--table must be call-legs, call-records or all, got nothing/],
    [() => tableChoiceOf('calls'), /got "calls"/],
    [
      () => gridMinutesOf('7'),
      /--grid-minutes: gridMinutes must be a whole number of minutes that divides 1440/,
    ],
    [() => gridMinutesOf('0'), /--grid-minutes must be a whole number from 1 to 1440/],
    [() => pbxScopeOf('a b'), /--pbx takes comma-separated PBX ids/],
    [() => oneOf(['queue-url', 'x'], ['stack', 'y']), /give --queue-url or --stack, not both/],
    [() => oneOf(['queue-url', undefined], ['stack', undefined]), /give --queue-url URL or --stack NAME/],
  ])('refuses a bad value with a UsageError naming the flag (%#)', (call, message) => {
    expect(call).toThrow(UsageError);
    expect(call).toThrow(message);
  });

  it('keeps the stack’s PBX scope when --pbx is absent, and sorts a list', () => {
    expect(pbxScopeOf(undefined)).toBeUndefined();
    expect(pbxScopeOf('b,a,b')).toEqual(['a', 'b']);
    expect(pbxScopeOf('allpbxes')).toBe('allpbxes');
    expect(gridMinutesOf(undefined)).toBe(60);
  });

  it('prints --help on the io it was given and returns undefined', () => {
    const out = io();
    expect(parseOpsFlags(['--help'], {}, 'HELP TEXT\n', out)).toBeUndefined();
    expect(out.out).toBe('HELP TEXT\n');
  });

  it('returns positionals where a command takes them, and refuses them where it does not', () => {
    expect(parseFlagsAndArgs(['--json', 'SELECT 1'], { json: { type: 'boolean' } }, '', io())).toEqual({
      values: { json: true },
      positionals: ['SELECT 1'],
    });
    expect(() => parseOpsFlags(['stray'], {}, '', io())).toThrow(/unexpected argument "stray"/);
    expect(() => parseOpsFlags(['--nope'], {}, '', io())).toThrow(UsageError);
  });

  it('writes instants without milliseconds when they have none', () => {
    expect(isoOf(Date.parse('2026-11-27T00:00:00Z'))).toBe('2026-11-27T00:00:00Z');
    expect(isoOf(Date.parse('2026-11-27T00:00:00.250Z'))).toBe('2026-11-27T00:00:00.250Z');
  });
});
