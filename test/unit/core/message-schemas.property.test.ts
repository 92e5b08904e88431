import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseControlMessage } from '../../../functions/core/control-message.js';
import {
  firstPageTask,
  MAX_SCROLL_ID_LENGTH,
  type PageTask,
  PageTaskSchema,
  parsePageTask,
} from '../../../functions/core/page-task.js';

const NOW = Date.UTC(2026, 10, 28, 12);
const valid: PageTask = {
  ...firstPageTask({
    table: 'call-legs',
    window: '20261127T0100Z-60m',
    pbx: 'allpbxes',
    attempt: 1,
    chain: 'k3x9q0w2m1zp',
    pageSize: 7000,
    isConnectTime: false,
    isSimplified: false,
  }),
  page: 3,
  scrollId: 'c3VwZXJ0ZW5hbnRjc21fMTYzNTU3MTA0ODM0NV8xXzE2NDM4OTc0OTI5MDM',
  firstPageTotal: 14_500,
  rowsSoFar: 13_990,
  droppedSoFar: 10,
  beforeSoFar: 4,
  quarantinedSoFar: 1,
  mismatchedSoFar: 2,
};
/** Every field a task may carry, the optional ones too: an added field named so is not unknown. */
const TASK_FIELDS = new Set(Object.keys(PageTaskSchema.shape));
const rerun = {
  v: 1,
  kind: 'rerun',
  table: 'call-legs',
  from: '2026-11-27T00:00:00Z',
  to: '2026-11-28T00:00:00Z',
};

/** A message with one field replaced, removed or added: the mutations a bad producer or a person makes. */
function mutated(base: Record<string, unknown>) {
  const keys = Object.keys(base);
  return fc.oneof(
    fc
      .record({ key: fc.constantFrom(...keys), value: fc.jsonValue() })
      .map(({ key, value }) => ({ ...base, [key]: value })),
    fc.constantFrom(...keys).map((key) => {
      const copy = { ...base };
      delete copy[key];
      return copy;
    }),
    fc
      .record({ key: fc.string(), value: fc.jsonValue() })
      .map(({ key, value }) => ({ ...base, [key]: value })),
  );
}

describe('page task schema under random and mutated messages', () => {
  it('never throws, and accepts only what survives a strict round trip', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.string(), mutated(valid)), (message) => {
        const result = parsePageTask(message);
        // Compared as the JSON that travels in SQS: a -0 count (fast-check finds one) is sent as 0.
        if (result.ok) {
          const sent = JSON.stringify(result.task);
          expect(JSON.stringify(PageTaskSchema.parse(JSON.parse(sent)))).toBe(sent);
        } else expect(result.error).toMatch(/^page task/);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses every mutation that adds an unknown field, naming it', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((k) => !TASK_FIELDS.has(k) && k !== '__proto__'),
        fc.jsonValue(),
        (key, value) => {
          const result = parsePageTask({ ...valid, [key]: value });
          expect(result.ok).toBe(false);
          if (!result.ok) expect(result.error).toContain('unknown field');
        },
      ),
      { numRuns: 500 },
    );
  });

  it('accepts a scrollId exactly when it is bounded printable text (any format, no control characters)', () => {
    const around = MAX_SCROLL_ID_LENGTH;
    const scrollIds = fc.oneof(
      fc.string({ minLength: 1, maxLength: 300, unit: 'binary' }),
      fc.string({ minLength: 1, maxLength: 300, unit: 'grapheme' }),
      fc.integer({ min: around - 2, max: around + 2 }).map((n) => 'x'.repeat(n)),
    );
    fc.assert(
      fc.property(scrollIds, (scrollId) => {
        // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
        const ok = !/[\u0000-\u001f\u007f]/.test(scrollId) && scrollId.length <= MAX_SCROLL_ID_LENGTH;
        expect(parsePageTask({ ...valid, scrollId }).ok).toBe(ok);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('rerun schema under random and mutated messages', () => {
  it('never throws; what it accepts is a bounded range of known tables', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.string(), mutated(rerun)), (message) => {
        const result = parseControlMessage(message, NOW, 31);
        if (!result.ok) {
          expect(result.error).toMatch(/^control message refused: /);
          return;
        }
        const { fromMs, toMs, tables } = result.rerun;
        expect(fromMs).toBeLessThan(toMs);
        expect(toMs - fromMs).toBeLessThanOrEqual(31 * 86_400_000);
        expect(tables.every((t) => t === 'call-legs' || t === 'call-records')).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses ranges in the wrong order, over the cap, or older than two years', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: NOW - 800 * 86_400_000, max: NOW }),
        fc.integer({ min: -40 * 86_400_000, max: 40 * 86_400_000 }),
        (fromMs, length) => {
          const message = {
            ...rerun,
            from: new Date(fromMs).toISOString(),
            to: new Date(fromMs + length).toISOString(),
          };
          const ok = length > 0 && length <= 31 * 86_400_000 && fromMs >= NOW - 730 * 86_400_000;
          expect(parseControlMessage(message, NOW, 31).ok).toBe(ok);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
