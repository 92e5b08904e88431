import { parseInteger } from './args.js';
import { sqsClient, stackOutputs } from './aws-targets.js';
import { type CliIo, type CommandSpec, type FlagSpecs, parseCommand, processIo } from './command.js';
import { EXIT_FAILURE, EXIT_OK, UsageError } from './usage.js';

const DEFAULT_MAX = 10;

const REDRIVE_COMMAND = {
  usage: `walake redrive (--stack NAME | --dlq-url URL --queue-url URL) [--all | --max N]`,
  about: `Moves dead-lettered messages back to their source queue, once the cause is fixed (read them first: the
alarm's runbook in docs/operations.md says how). With --stack, every dead-letter queue: the page DLQ to the page
queue, the backfill DLQ to the backfill queue and the control DLQ to the control queue. Each message is deleted from the DLQ only after it was sent;
on a FIFO queue it keeps its MessageGroupId (its chain) and gets a new MessageDeduplicationId
(<original>.r<timestamp>), since SQS would silently drop a send whose id it saw in the last 5 minutes.

Without --all, at most --max messages per queue (default ${DEFAULT_MAX}): a first few, to see that they now
succeed. Messages that arrive in the DLQ during the redrive are left for the next one.`,
  flags: {
    stack: {
      type: 'string',
      value: 'NAME',
      description: `the stack whose page, backfill and control queues and DLQs to use`,
    },
    'dlq-url': { type: 'string', value: 'URL', description: `a dead-letter queue ...` },
    'queue-url': { type: 'string', value: 'URL', description: `... and the queue its messages go back to` },
    all: { type: 'boolean', description: `move every message that is in the DLQ when the redrive starts` },
    max: {
      type: 'string',
      value: 'N',
      description: `move at most N messages per queue (default ${DEFAULT_MAX})`,
    },
  },
  example: `walake redrive --stack WorkAnalyticsLake --all`,
} as const satisfies CommandSpec<FlagSpecs>;

export async function redriveCommand(argv: string[], io: CliIo = processIo()): Promise<number> {
  const parsed = parseCommand(argv, REDRIVE_COMMAND, io);
  if (!parsed) return EXIT_OK;
  const flags = parsed.values;
  if (flags.all && flags.max !== undefined) throw new UsageError('give --all or --max, not both');
  const limit = flags.all
    ? Number.POSITIVE_INFINITY
    : (parseInteger('max', flags.max, 1, 100_000) ?? DEFAULT_MAX);
  const pairs = await pairsOf(flags);
  const [{ redriveQueue }, client] = await Promise.all([import('../adapters/dlq-redrive.js'), sqsClient()]);
  let failed = false;
  for (const pair of pairs) {
    const result = await redriveQueue(client, { ...pair, limit, nowMs: io.now() });
    const left = result.found - result.moved;
    io.stdout.write(
      `${pair.name}: moved ${result.moved} of ${result.found} from ${pair.dlqUrl} to ${pair.queueUrl}` +
        `${left > 0 ? `; about ${left} left${result.error ? '' : ' (run again, or with --all)'}` : ''}\n`,
    );
    if (result.error) {
      io.stderr.write(`${pair.name}: ${result.error}; the message stays in the dead-letter queue\n`);
      failed = true;
    }
  }
  return failed ? EXIT_FAILURE : EXIT_OK;
}

type Pair = { name: string; dlqUrl: string; queueUrl: string };

async function pairsOf(flags: { stack?: string; 'dlq-url'?: string; 'queue-url'?: string }): Promise<Pair[]> {
  const explicit = flags['dlq-url'] !== undefined || flags['queue-url'] !== undefined;
  if (flags.stack !== undefined && explicit) {
    throw new UsageError('give --stack, or --dlq-url with --queue-url, not both');
  }
  if (flags.stack !== undefined) {
    const o = await stackOutputs(flags.stack, [
      'PageDlqUrl',
      'PageQueueUrl',
      'BackfillDlqUrl',
      'BackfillQueueUrl',
      'ControlDlqUrl',
      'ControlQueueUrl',
    ]);
    return [
      { name: 'page queue', dlqUrl: o.PageDlqUrl, queueUrl: o.PageQueueUrl },
      { name: 'backfill queue', dlqUrl: o.BackfillDlqUrl, queueUrl: o.BackfillQueueUrl },
      { name: 'control queue', dlqUrl: o.ControlDlqUrl, queueUrl: o.ControlQueueUrl },
    ];
  }
  if (flags['dlq-url'] === undefined || flags['queue-url'] === undefined) {
    throw new UsageError(
      'give --stack NAME, or --dlq-url URL with --queue-url URL (the queue it feeds back)',
    );
  }
  if (flags['dlq-url'] === flags['queue-url'])
    throw new UsageError('--dlq-url and --queue-url are the same queue');
  return [{ name: 'queue', dlqUrl: flags['dlq-url'], queueUrl: flags['queue-url'] }];
}
