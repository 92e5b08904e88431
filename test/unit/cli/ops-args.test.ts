import { describe, expect, it } from 'vitest';
import { type CliIo, type CommandSpec, helpOf, parseCommand } from '../../../functions/cli/command.js';
import {
  gridMinutesOf,
  isoOf,
  oneOf,
  oneTableOf,
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
    [() => pbxScopeOf('a b'), /--pbx "a b": must be a PBX name/],
    [() => pbxScopeOf('acmecorp2,allpbxes'), /--pbx "acmecorp2,allpbxes" mixes allpbxes with PBX names/],
    [() => pbxScopeOf('AllPbxes'), /--pbx "AllPbxes" is not a PBX name: write allpbxes/],
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
    expect(pbxScopeOf('allpbxes,')).toBe('allpbxes');
    expect(gridMinutesOf(undefined)).toBe(60);
  });

  const spec = {
    usage: 'walake thing --out DIR',
    about: 'Does a thing.',
    flags: {
      out: { type: 'string', value: 'DIR', description: 'the lake folder', default: 'lake-data' },
      json: { type: 'boolean', description: 'print JSON' },
    },
    notes: 'Exit status: 0.',
    example: 'walake thing --out ./lake-data\nwalake thing --json',
  } as const satisfies CommandSpec<{
    out: { type: 'string'; value: 'DIR'; description: string; default: string };
    json: { type: 'boolean'; description: string };
  }>;

  it('prints --help, generated from the flags declared, on the io it was given and returns undefined', () => {
    const out = io();
    expect(parseCommand(['--help'], spec, out)).toBeUndefined();
    expect(out.out).toBe(helpOf(spec));
    expect(out.out).toBe(
      [
        'Usage: walake thing --out DIR',
        '',
        'Does a thing.',
        '',
        'Options:',
        '  --out DIR   the lake folder (default lake-data)',
        '  --json      print JSON',
        '  -h, --help  this help',
        '',
        'Exit status: 0.',
        '',
        'Example:',
        '  walake thing --out ./lake-data',
        '  walake thing --json',
        '',
      ].join('\n'),
    );
  });

  it('fills declared defaults, returns positionals where a command takes them, and refuses them elsewhere', () => {
    expect(parseCommand(['--json'], spec, io())).toEqual({
      values: { json: true, out: 'lake-data' },
      positionals: [],
    });
    expect(parseCommand(['SELECT 1'], { ...spec, positionals: true }, io())).toEqual({
      values: { out: 'lake-data' },
      positionals: ['SELECT 1'],
    });
    expect(() => parseCommand(['stray'], spec, io())).toThrow(/unexpected argument "stray"/);
    expect(() => parseCommand(['--nope'], spec, io())).toThrow(UsageError);
  });

  it('reads one table where one is meant, and refuses all', () => {
    expect(oneTableOf(undefined, 'call-legs')).toBe('call-legs');
    expect(() => oneTableOf('all')).toThrow(/call-legs or call-records here, not all/);
  });

  it('writes instants without milliseconds when they have none', () => {
    expect(isoOf(Date.parse('2026-11-27T00:00:00Z'))).toBe('2026-11-27T00:00:00Z');
    expect(isoOf(Date.parse('2026-11-27T00:00:00.250Z'))).toBe('2026-11-27T00:00:00.250Z');
  });
});
