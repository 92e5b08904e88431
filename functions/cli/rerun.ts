import { parseInstant } from './args.js';
import { describeWindows, planMessage, refusalOf } from './control-plan.js';
import {
  boundsOf,
  CONTROL_FLAGS,
  controlTargetOf,
  describeCost,
  describeRequest,
  openControlQueue,
} from './control-send.js';
import {
  type CliIo,
  gridMinutesOf,
  parseOpsFlags,
  pbxScopeOf,
  processIo,
  tableChoiceOf,
  tablesOf,
} from './ops-args.js';
import { EXIT_OK, UsageError } from './usage.js';

const HELP = `Usage: walake rerun (--queue-url URL | --stack NAME) --table T --from ISO --to ISO [options]

Asks the planner to pull a range again: sends one control message {"v":1,"kind":"rerun",…} to the control
queue, after checking it against the planner's own bounds. The planner pulls every grid window of the range
again as a new attempt, and each replaces its window whole: nothing doubles. Prints the windows, the chains and
an estimate of the API requests. For more than --max-days days, use walake backfill.

The message carries a deterministic id: the same rerun sent again within 24 hours (a retry, a double click) is
recognised by the planner and starts nothing twice. To pull the same range again on purpose, add --again.

Options:
  --queue-url URL    the control queue (the stack output ControlQueueUrl)
  --stack NAME       read the control queue from this CloudFormation stack's outputs
  --table T          call-legs, call-records or all (required)
  --from ISO         start, an ISO instant such as 2026-11-27T00:00:00Z (required)
  --to ISO           end, exclusive (required)
  --pbx IDS          comma-separated PBX ids, or allpbxes (default: the stack's PBX scope)
  --grid-minutes N   the stack's grid in minutes (default 60), to count the windows
  --max-days N       the stack's maxRerunDays (default 31)
  --max-chains N     the planner's chains per run (default 2000)
  --dry-run          check and print, send nothing (no queue needed)
  --again            a new id, so that the planner pulls the range again even within 24 hours of the last

AWS: the usual AWS_PROFILE / AWS_REGION; the caller needs sqs:SendMessage on the control queue.

Example:
  walake rerun --stack WorkAnalyticsLake --table call-legs --from 2026-11-27T00:00:00Z --to 2026-11-28T00:00:00Z
`;

export async function rerunCommand(argv: string[], io: CliIo = processIo()): Promise<number> {
  const flags = parseOpsFlags(argv, { ...CONTROL_FLAGS, again: { type: 'boolean' } }, HELP, io);
  if (!flags) return EXIT_OK;
  const target = controlTargetOf(flags);
  const table = tableChoiceOf(flags.table);
  const fromMs = parseInstant('from', flags.from);
  const toMs = parseInstant('to', flags.to);
  if (fromMs >= toMs) throw new UsageError('--from must be before --to');
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
