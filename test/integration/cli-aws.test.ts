import { randomBytes } from 'node:crypto';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../../functions/adapters/s3-store.js';
import {
  readStackOutputs,
  STACK_OUTPUT_NAMES,
  StackOutputError,
} from '../../functions/adapters/stack-outputs.js';
import { backfillCommand } from '../../functions/cli/backfill.js';
import { redriveCommand } from '../../functions/cli/redrive.js';
import { rerunCommand } from '../../functions/cli/rerun.js';
import { statusCommand } from '../../functions/cli/status.js';
import { UsageError } from '../../functions/cli/usage.js';
import { parseControlMessage } from '../../functions/core/control-message.js';
import { ledgerKey } from '../../functions/core/lake-keys.js';
import { publishedEntry, runningEntry } from '../../functions/core/ledger.js';
import { parseWindowId } from '../../functions/core/windows.js';
import { type AwsEnv, createAwsEnv } from '../support/aws-env.js';
import { motoClientConfig } from '../support/moto.js';
import { awsProcessEnv, captureIo, walake } from './cli-support.js';

const NOW = Date.parse('2026-11-28T12:00:00Z');
const tag = randomBytes(3).toString('hex');
const STACK = `walake-cli-${tag}`;
let aws: AwsEnv;
let cfn: CloudFormationClient;

/** A stack with only a placeholder resource and the outputs the operator's commands read (or some of them). */
async function createStack(name: string, outputs: Record<string, string>) {
  const template = {
    Resources: { Placeholder: { Type: 'AWS::CloudFormation::WaitConditionHandle' } },
    Outputs: Object.fromEntries(Object.entries(outputs).map(([key, value]) => [key, { Value: value }])),
  };
  await cfn.send(new CreateStackCommand({ StackName: name, TemplateBody: JSON.stringify(template) }));
}

/** Receives and deletes every message of a queue. */
async function receiveAll(queueUrl: string): Promise<Message[]> {
  const messages: Message[] = [];
  for (let empty = 0; empty < 2; ) {
    const { Messages = [] } = await aws.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 60,
        MessageSystemAttributeNames: ['MessageGroupId', 'MessageDeduplicationId'],
        MessageAttributeNames: ['All'],
      }),
    );
    empty = Messages.length === 0 ? empty + 1 : 0;
    for (const m of Messages) {
      await aws.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
      messages.push(m);
    }
  }
  return messages;
}

beforeAll(async () => {
  aws = await createAwsEnv({ apiKey: 'k', username: 'u', password: 'p' }, { prefix: `walake-cli-${tag}` });
  cfn = new CloudFormationClient(motoClientConfig());
  await createStack(STACK, {
    DataBucketName: aws.bucket,
    PageQueueUrl: aws.pageQueue.url,
    ControlQueueUrl: aws.controlQueue.url,
    PageDlqUrl: aws.pageDlq.url,
    BackfillQueueUrl: aws.backfillQueue.url,
    BackfillDlqUrl: aws.backfillDlq.url,
    ControlDlqUrl: aws.controlDlq.url,
    WorkGroupName: `walake-${tag}`,
    DatabaseName: `walake_${tag}`,
    SecretArn: aws.secretArn,
  });
  await createStack(`${STACK}-old`, { DataBucketName: aws.bucket });
});
afterAll(() => cfn?.destroy());

describe('stack outputs (--stack)', () => {
  it('reads every output the commands use', async () => {
    const outputs = await readStackOutputs(cfn, STACK, STACK_OUTPUT_NAMES);
    expect(outputs).toMatchObject({ DataBucketName: aws.bucket, ControlDlqUrl: aws.controlDlq.url });
  });

  it('names the outputs a stack lacks, and what it has', async () => {
    const read = readStackOutputs(cfn, `${STACK}-old`, ['DataBucketName', 'PageDlqUrl', 'ControlDlqUrl']);
    await expect(read).rejects.toThrow(StackOutputError);
    await expect(read).rejects.toThrow(/has no output PageDlqUrl, ControlDlqUrl \(it has: DataBucketName\)/);
  });

  it('names a stack that does not exist', async () => {
    await expect(readStackOutputs(cfn, `${STACK}-nope`, ['DataBucketName'])).rejects.toThrow(
      new RegExp(`the stack "${STACK}-nope" does not exist in region us-east-1`),
    );
  });

  it('fails a command with exit code 1 and the stack named when it does not exist', async () => {
    const range = ['--table', 'call-legs', '--from', '2026-11-27T00:00:00Z', '--to', '2026-11-27T01:00:00Z'];
    const result = await walake(['rerun', '--stack', `${STACK}-nope`, ...range], awsProcessEnv());
    expect(result.stderr).toMatch(/the stack "walake-cli-\w+-nope" does not exist/);
    // The error alone: not after the AWS SDK's 9-line Node-version notice (Node below 22).
    expect(result.stderr).not.toMatch(/NodeVersionSupportWarning/);
    expect(result.code).toBe(1);
  });
});

describe('walake rerun', () => {
  const range = ['--from', '2026-11-27T00:00:00Z', '--to', '2026-11-28T00:00:00Z'];

  it('sends one control message the planner accepts, and says what it asked for', async () => {
    const cli = captureIo({ now: () => NOW });
    expect(await rerunCommand(['--stack', STACK, '--table', 'all', ...range], cli.io)).toBe(0);
    const [message, ...more] = await receiveAll(aws.controlQueue.url);
    expect(more).toHaveLength(0);
    const parsed = parseControlMessage(message?.Body ?? '', NOW, 31);
    expect(parsed).toMatchObject({ ok: true, rerun: { tables: ['call-legs', 'call-records'] } });
    const id = 'rerun.all.20261127T000000Z-20261128T000000Z';
    expect(message?.MessageAttributes?.['walake-id']?.StringValue).toBe(id);
    expect(cli.out()).toContain('windows: 24 windows: 20261127T0000Z-60m .. 20261127T2300Z-60m');
    expect(cli.out()).toContain('chains: 48 (24 windows × 2 tables)');
    expect(cli.out()).toMatch(/API requests: about 96 \(an estimate/);
    expect(cli.out()).toContain(`sent ${id} to ${aws.controlQueue.url}`);
  });

  it('gives the same rerun the same id, and a new one with --again', async () => {
    const args = ['--stack', STACK, '--table', 'call-legs', ...range];
    const cli = captureIo({ now: () => NOW });
    expect(await rerunCommand(args, cli.io)).toBe(0);
    expect(await rerunCommand([...args, '--again'], cli.io)).toBe(0);
    const ids = (await receiveAll(aws.controlQueue.url)).map(
      (m) => m.MessageAttributes?.['walake-id']?.StringValue,
    );
    const id = 'rerun.call-legs.20261127T000000Z-20261128T000000Z';
    expect(ids).toEqual([id, `${id}.again${NOW / 1000}`]);
  });

  it('gives a FIFO control queue a group and its deterministic id as deduplication id', async () => {
    const { QueueUrl = '' } = await aws.sqs.send(
      new CreateQueueCommand({
        QueueName: `walake-cli-${tag}-control.fifo`,
        Attributes: { FifoQueue: 'true' },
      }),
    );
    const cli = captureIo({ now: () => NOW });
    const args = ['--queue-url', QueueUrl, '--table', 'call-records', '--pbx', 'b,a', ...range];
    expect(await rerunCommand(args, cli.io)).toBe(0);
    const [message] = await receiveAll(QueueUrl);
    expect(JSON.parse(message?.Body ?? '{}')).toMatchObject({ table: 'call-records', pbx: ['a', 'b'] });
    expect(message?.Attributes?.MessageGroupId).toBe('walake-control');
    expect(message?.Attributes?.MessageDeduplicationId).toMatch(
      /^rerun\.call-records\.20261127T000000Z-20261128T000000Z\.p[0-9a-f]{16}$/,
    );
  });

  it('refuses what the planner would refuse, sending nothing', async () => {
    const cli = captureIo({ now: () => NOW });
    const tooLong = ['--from', '2026-09-01T00:00:00Z', '--to', '2026-11-01T00:00:00Z'];
    await expect(
      rerunCommand(['--stack', STACK, '--table', 'call-legs', ...tooLong], cli.io),
    ).rejects.toThrow(UsageError);
    const fine = ['--grid-minutes', '15', '--from', '2026-11-01T00:00:00Z', '--to', '2026-11-20T00:00:00Z'];
    await expect(rerunCommand(['--stack', STACK, '--table', 'all', ...fine], cli.io)).rejects.toThrow(
      /chains, over the planner's limit of 2000/,
    );
    expect(await receiveAll(aws.controlQueue.url)).toHaveLength(0);
  });
});

describe('walake backfill', () => {
  const args = () => [
    '--stack',
    STACK,
    '--table',
    'call-legs',
    '--from',
    '2026-06-01T00:00:00Z',
    '--to',
    '2026-09-01T00:00:00Z',
  ];

  it('sends messages within the caps, each with its id in the log, and sending twice sends the same', async () => {
    const first = captureIo({ now: () => NOW });
    expect(await backfillCommand(args(), first.io)).toBe(0);
    const second = captureIo({ now: () => NOW });
    expect(await backfillCommand(args(), second.io)).toBe(0);
    const sent = (out: string) => [...out.matchAll(/sent (backfill\.\S+):/g)].map((m) => m[1]);
    expect(sent(first.out())).toEqual([
      'backfill.call-legs.20260601T000000Z-20260702T000000Z',
      'backfill.call-legs.20260702T000000Z-20260802T000000Z',
      'backfill.call-legs.20260802T000000Z-20260901T000000Z',
    ]);
    expect(first.out()).toContain(
      '[1/3] sent backfill.call-legs.20260601T000000Z-20260702T000000Z: 744 windows',
    );
    expect(sent(second.out())).toEqual(sent(first.out()));
    expect(first.out()).toMatch(/Running this again is safe/);
    const messages = await receiveAll(aws.controlQueue.url);
    expect(messages).toHaveLength(6);
    for (const m of messages) expect(parseControlMessage(m.Body ?? '', NOW, 31).ok).toBe(true);
  });

  it('prints the plan and sends nothing on --dry-run', async () => {
    const cli = captureIo({ now: () => NOW });
    expect(await backfillCommand([...args(), '--dry-run', '--max-days', '7'], cli.io)).toBe(0);
    expect(cli.out()).toMatch(/messages: 14 \(at most 7 days/);
    expect(cli.out()).toMatch(/dry run: nothing sent/);
    expect(await receiveAll(aws.controlQueue.url)).toHaveLength(0);
  });

  it('refuses a start older than the API serves, naming the earliest', async () => {
    const cli = captureIo({ now: () => NOW });
    const old = [
      '--stack',
      STACK,
      '--table',
      'all',
      '--from',
      '2024-11-28T00:00:00Z',
      '--to',
      '2025-01-01T00:00:00Z',
    ];
    await expect(backfillCommand(old, cli.io)).rejects.toThrow(/start at 2024-11-30T00:00:00Z or later/);
  });
});

describe('walake redrive', () => {
  it('moves both DLQs back, keeping each FIFO group, with new deduplication ids', async () => {
    // A task still in the page queue under the id the dead-lettered copy carries: SQS would drop a resend.
    const body = (page: number) => JSON.stringify({ page });
    await aws.sqs.send(
      new SendMessageCommand({
        QueueUrl: aws.pageQueue.url,
        MessageBody: body(1),
        MessageGroupId: 'chain-a',
        MessageDeduplicationId: 'chain-a.p1',
      }),
    );
    for (const [group, page] of [
      ['chain-a', 1],
      ['chain-b', 3],
      ['chain-c', 2],
    ] as const) {
      await aws.sqs.send(
        new SendMessageCommand({
          QueueUrl: aws.pageDlq.url,
          MessageBody: body(page),
          MessageGroupId: group,
          MessageDeduplicationId: `${group}.p${page}`,
        }),
      );
    }
    for (const n of [1, 2]) {
      await aws.sqs.send(
        new SendMessageCommand({
          QueueUrl: aws.controlDlq.url,
          MessageBody: `{"n":${n}}`,
          MessageAttributes: { 'walake-id': { DataType: 'String', StringValue: `rerun.${n}` } },
        }),
      );
    }
    const cli = captureIo({ now: () => NOW });
    expect(await redriveCommand(['--stack', STACK, '--all'], cli.io)).toBe(0);
    expect(cli.out()).toContain(`page queue: moved 3 of 3 from ${aws.pageDlq.url} to ${aws.pageQueue.url}`);
    expect(cli.out()).toContain('control queue: moved 2 of 2');
    const pages = await receiveAll(aws.pageQueue.url);
    const redriven = pages.filter((m) => m.Attributes?.MessageDeduplicationId?.endsWith(`.r${NOW}`));
    expect(
      redriven.map((m) => [m.Attributes?.MessageGroupId, m.Attributes?.MessageDeduplicationId]).sort(),
    ).toEqual([
      ['chain-a', `chain-a.p1.r${NOW}`],
      ['chain-b', `chain-b.p3.r${NOW}`],
      ['chain-c', `chain-c.p2.r${NOW}`],
    ]);
    expect(pages).toHaveLength(4);
    const controls = await receiveAll(aws.controlQueue.url);
    expect(controls.map((m) => [m.Body, m.MessageAttributes?.['walake-id']?.StringValue]).sort()).toEqual([
      ['{"n":1}', 'rerun.1'],
      ['{"n":2}', 'rerun.2'],
    ]);
    expect(await receiveAll(aws.pageDlq.url)).toHaveLength(0);
    expect(await receiveAll(aws.controlDlq.url)).toHaveLength(0);
  });

  it('moves at most --max messages without --all, and says how many are left', async () => {
    for (const n of [1, 2, 3]) {
      await aws.sqs.send(new SendMessageCommand({ QueueUrl: aws.controlDlq.url, MessageBody: `{"m":${n}}` }));
    }
    const cli = captureIo({ now: () => NOW });
    const args = ['--dlq-url', aws.controlDlq.url, '--queue-url', aws.controlQueue.url, '--max', '2'];
    expect(await redriveCommand(args, cli.io)).toBe(0);
    expect(cli.out()).toMatch(/queue: moved 2 of 3 .*; about 1 left \(run again, or with --all\)/);
    expect(await receiveAll(aws.controlQueue.url)).toHaveLength(2);
    expect(await receiveAll(aws.controlDlq.url)).toHaveLength(1);
  });

  it.each([
    [['redrive'], /give --stack NAME, or --dlq-url URL with --queue-url URL/],
    [['redrive', '--dlq-url', 'http://x/q'], /give --stack NAME, or --dlq-url URL with --queue-url URL/],
    [['redrive', '--stack', 's', '--dlq-url', 'http://x/q'], /not both/],
    [['redrive', '--stack', 's', '--all', '--max', '3'], /give --all or --max, not both/],
  ])('refuses %j with exit code 2', async (args, message) => {
    const result = await walake(args, awsProcessEnv());
    expect(result.stderr).toMatch(message);
    expect(result.code).toBe(2);
  });
});

describe('walake status on S3', () => {
  beforeAll(async () => {
    const store = new S3ObjectStore(aws.s3, aws.bucket);
    for (const id of ['20261127T0000Z-60m', '20261127T0100Z-60m']) {
      const window = parseWindowId(id);
      const running = runningEntry(
        { table: 'call-legs', window, pbx: 'allpbxes', attempt: 1 },
        window.endMs + 7_200_000,
      );
      const done = { pages: 1, rows: 7, dropped: 0, firstPageTotal: 7 };
      const entry = publishedEntry(running, done, window.endMs + 7_260_000, 120);
      await store.put(ledgerKey('call-legs', window), JSON.stringify(entry));
    }
  });
  const range = ['--from', '2026-11-27T00:00:00Z', '--to', '2026-11-27T04:00:00Z'];

  it('reads the ledger in the bucket of --stack and reports the gaps with exit code 0', async () => {
    const cli = captureIo({ now: () => NOW });
    expect(await statusCommand(['--stack', STACK, '--table', 'call-legs', ...range, '--json'], cli.io)).toBe(
      0,
    );
    const status = JSON.parse(cli.out());
    expect(status.lake).toBe(`s3://${aws.bucket}`);
    expect(status.days).toEqual([
      {
        table: 'call-legs',
        day: '2026-11-27',
        expected: 4,
        published: 2,
        settled: 2,
        running: 0,
        failed: 0,
        missing: 2,
        rows: 14,
        mismatches: 0,
      },
    ]);
    expect(status.gaps).toEqual([
      { table: 'call-legs', from: '2026-11-27T02:00:00Z', to: '2026-11-27T04:00:00Z', windows: 2 },
    ]);
    expect(status.lastPublished).toEqual({ 'call-legs': '2026-11-27T04:01:00.000Z' });
  });

  it('prints the tables and the rerun of each gap from the built binary', async () => {
    const result = await walake(
      ['status', '--bucket', aws.bucket, '--table', 'call-legs', ...range],
      awsProcessEnv(),
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/call-legs\s+2026-11-27\s+4\s+2\s+2\s+0\s+0\s+2\s+14\s+0/);
    expect(result.stdout).toContain(
      'walake rerun --table call-legs --from 2026-11-27T02:00:00Z --to 2026-11-27T04:00:00Z   # 2 windows',
    );
  });

  it('fails with exit code 1 when the bucket cannot be read', async () => {
    const result = await walake(['status', '--bucket', `walake-cli-${tag}-none`, ...range], awsProcessEnv());
    expect(result.stderr).toMatch(new RegExp(`could not read the ledger of s3://walake-cli-${tag}-none`));
    expect(result.code).toBe(1);
  });
});
