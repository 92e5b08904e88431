import { messageOf } from '../core/errors.js';
import { type CliIo, type CommandSpec, type FlagSpecs, parseCommand, processIo } from './command.js';
import { earliestStart, refusalOf, splitBackfill } from './control-plan.js';
import {
  boundsOf,
  CONTROL_FLAGS,
  controlTargetOf,
  describeCost,
  describeRequest,
  openControlQueue,
} from './control-send.js';
import { gridMinutesOf, isoOf, pbxScopeOf, rangeOf, tableChoiceOf, tablesOf } from './ops-args.js';
import { EXIT_OK, UsageError } from './usage.js';

const DAY_MS = 86_400_000;

const BACKFILL_COMMAND = {
  usage: `walake backfill (--queue-url URL | --stack NAME) --table T --from ISO --to ISO [options]`,
  about: `Pulls a long range, up to the API's two years: cuts it into control messages within the planner's caps (at
most --max-days days and --max-chains chains each), on whole UTC days so that no message splits a window, and
sends them to the control queue, one line per message with its deterministic id.

Safe to run twice: each message has a deterministic id, and the planner starts nothing for an id it handled in
the last 24 hours (a message it was interrupted in goes on from its checkpoint). If sending stops half way,
run it again: the messages already handled are skipped.`,
  flags: {
    ...CONTROL_FLAGS,
    from: { type: 'string', value: 'ISO', description: 'start, at most two years ago (required)' },
    to: {
      type: 'string',
      value: 'ISO',
      description: 'end, exclusive (required; a time after now stops at now)',
    },
  },
  example: `walake backfill --stack WorkAnalyticsLake --table all --from 2025-01-01T00:00:00Z --to 2026-11-01T00:00:00Z`,
} as const satisfies CommandSpec<FlagSpecs>;

export async function backfillCommand(argv: string[], io: CliIo = processIo()): Promise<number> {
  const parsed = parseCommand(argv, BACKFILL_COMMAND, io);
  if (!parsed) return EXIT_OK;
  const flags = parsed.values;
  const target = controlTargetOf(flags);
  const table = tableChoiceOf(flags.table);
  const range = rangeOf(flags);
  const { fromMs } = range;
  let { toMs } = range;
  const nowMs = io.now();
  const gridMinutes = gridMinutesOf(flags['grid-minutes']);
  const earliest = Math.ceil(earliestStart(nowMs) / DAY_MS) * DAY_MS;
  if (Math.floor(fromMs / (gridMinutes * 60_000)) * gridMinutes * 60_000 < earliestStart(nowMs)) {
    throw new UsageError(
      `--from ${flags.from} is older than the API serves (two years, less a day for the messages to wait in ` +
        `the queue): start at ${isoOf(earliest)} or later`,
    );
  }
  if (fromMs >= nowMs) throw new UsageError(`--from ${flags.from} is in the future`);
  if (toMs > nowMs) {
    io.stdout.write(`--to is after now: the backfill stops at ${isoOf(nowMs)}\n`);
    toMs = nowMs;
  }
  const request = { table, fromMs, toMs, pbx: pbxScopeOf(flags.pbx), gridMinutes };
  const bounds = boundsOf(flags);
  let messages: ReturnType<typeof splitBackfill>;
  try {
    messages = splitBackfill(request, bounds);
  } catch (error) {
    throw new UsageError(messageOf(error), { cause: error });
  }
  for (const m of messages) {
    const refusal = refusalOf(m, nowMs, bounds);
    if (refusal) throw new UsageError(`${m.id}: ${refusal}`);
  }
  io.stdout.write(describeRequest('backfill', request));
  io.stdout.write(
    `messages: ${messages.length} (at most ${bounds.maxDays} days and ${bounds.maxChains} chains each, ` +
      `cut on UTC days; ${gridMinutes}-minute grid)\n`,
  );
  io.stdout.write(describeCost(messages, tablesOf(table).length));
  if (!target || flags['dry-run']) {
    messages.forEach((m, i) => {
      io.stdout.write(
        `[${i + 1}/${messages.length}] ${m.id}: ${m.windows.length} windows, ${m.chains} chains\n`,
      );
    });
    io.stdout.write('dry run: nothing sent\n');
    return EXIT_OK;
  }
  const queue = await openControlQueue(target);
  for (const [i, m] of messages.entries()) {
    let messageId: string;
    try {
      messageId = await queue.send(m.message, m.id);
    } catch (error) {
      throw new Error(
        `sending ${m.id} failed (${messageOf(error)}); ${i} of ${messages.length} messages were sent. ` +
          `Run again with --from ${m.message.from} to send the rest (sending one again is harmless).`,
      );
    }
    io.stdout.write(
      `[${i + 1}/${messages.length}] sent ${m.id}: ${m.windows.length} windows, ${m.chains} chains ` +
        `(SQS message id ${messageId})\n`,
    );
  }
  io.stdout.write(
    `sent ${messages.length} messages to ${queue.queueUrl}; the planner queues their chains as it reads them. ` +
      'Running this again is safe: it just pulls those windows again.\n',
  );
  return EXIT_OK;
}
