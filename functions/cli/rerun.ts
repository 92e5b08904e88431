import { type CliIo, type CommandSpec, type FlagSpecs, parseCommand, processIo } from './command.js';
import { describeWindows, planMessage, refusalOf } from './control-plan.js';
import {
  boundsOf,
  CONTROL_FLAGS,
  controlTargetOf,
  describeCost,
  describeRequest,
  openControlQueue,
} from './control-send.js';
import { gridMinutesOf, pbxScopeOf, rangeOf, tableChoiceOf, tablesOf } from './ops-args.js';
import { EXIT_OK, UsageError } from './usage.js';

const RERUN_COMMAND = {
  usage: `walake rerun (--queue-url URL | --stack NAME) --table T --from ISO --to ISO [options]`,
  about: `Asks the planner to pull a range again: sends one control message {"v":1,"kind":"rerun",…} to the control
queue, after checking it against the planner's own bounds. The planner pulls every grid window of the range
again as a new attempt, and each replaces its window whole: nothing doubles. Prints the windows, the chains and
an estimate of the API requests. For more than --max-days days, use walake backfill.

The message carries a deterministic id: the same rerun sent again within 24 hours (a retry, a double click) is
recognised by the planner and starts nothing twice. To pull the same range again on purpose, add --again.`,
  flags: {
    ...CONTROL_FLAGS,
    again: {
      type: 'boolean',
      description: 'a new id, so that the planner pulls the range again even within 24 hours of the last',
    },
  },
  notes: `AWS: the usual AWS_PROFILE / AWS_REGION; the caller needs sqs:SendMessage on the control queue.`,
  example: `walake rerun --stack WorkAnalyticsLake --table call-legs --from 2026-11-27T00:00:00Z --to 2026-11-28T00:00:00Z`,
} as const satisfies CommandSpec<FlagSpecs>;

export async function rerunCommand(argv: string[], io: CliIo = processIo()): Promise<number> {
  const parsed = parseCommand(argv, RERUN_COMMAND, io);
  if (!parsed) return EXIT_OK;
  const flags = parsed.values;
  const target = controlTargetOf(flags);
  const table = tableChoiceOf(flags.table);
  const { fromMs, toMs } = rangeOf(flags);
  const request = {
    table,
    fromMs,
    toMs,
    pbx: pbxScopeOf(flags.pbx),
    gridMinutes: gridMinutesOf(flags['grid-minutes']),
  };
  const bounds = boundsOf(flags);
  const once = planMessage('rerun', request);
  // The id is the planner's key for "handled already": --again makes this request another one.
  const planned = flags.again ? { ...once, id: `${once.id}.again${Math.floor(io.now() / 1000)}` } : once;
  const refusal = refusalOf(planned, io.now(), bounds);
  if (refusal) throw new UsageError(refusal);
  io.stdout.write(describeRequest('rerun', request));
  io.stdout.write(`windows: ${describeWindows(planned.windows)} (${request.gridMinutes}-minute grid)\n`);
  io.stdout.write(describeCost([planned], tablesOf(table).length));
  io.stdout.write(`message ${planned.id}: ${JSON.stringify(planned.message)}\n`);
  if (!target || flags['dry-run']) {
    io.stdout.write('dry run: nothing sent\n');
    return EXIT_OK;
  }
  const queue = await openControlQueue(target);
  const messageId = await queue.send(planned.message, planned.id);
  io.stdout.write(
    `sent ${planned.id} to ${queue.queueUrl} (SQS message id ${messageId})\n` +
      'the planner queues the chains when it reads the message; follow them with walake status\n',
  );
  return EXIT_OK;
}
