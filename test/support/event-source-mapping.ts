import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | unknown>;

/** The clock a Lambda context counts its remaining time on. */
export interface ContextClock {
  now: () => number;
}

const realTime: ContextClock = { now: () => performance.now() };

/** An invocation's time: `timeoutMs` to run, counted down on `clock`. */
export interface Budget {
  timeoutMs: number;
  clock: ContextClock;
}

/**
 * A Lambda context for a local invocation, whose remaining time runs down from the budget's `timeoutMs` on its
 * clock. A budget always comes with its clock: give the test's clock (the one the handlers' sleeps advance), so
 * that when a test asserts what happens as the time runs out, the budget is spent by the handler's own waits,
 * not by how fast the machine runs. Without a budget, the invocation has two minutes of real time: room that no
 * test's outcome may depend on.
 */
export function lambdaContext(
  functionName: string,
  budget: Budget = { timeoutMs: 120_000, clock: realTime },
): Context {
  const { clock } = budget;
  const deadline = clock.now() + budget.timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, Math.floor(deadline - clock.now())),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * What Lambda's SQS event source mapping does, against moto: receive a batch, invoke the handler with a
 * real-shaped event, delete what succeeded, and leave what it reported failed (or everything, if it threw)
 * to reappear after the visibility timeout; the queue's redrive policy moves it to the DLQ after
 * maxReceiveCount receives.
 *
 * The stack sets each queue's visibility timeout above its function's timeout, so a message never comes back
 * while its invocation still runs. The test queues keep a 1 s timeout so that failures come back quickly; the
 * mapping therefore receives with the invocation's own visibility (`IN_FLIGHT_VISIBILITY_S`) and, once the
 * handler is done, gives what it did not delete the queue's 1 s. A slow machine then changes how long a test
 * takes, never how often a message is delivered.
 */
const IN_FLIGHT_VISIBILITY_S = 900;
const RETRY_VISIBILITY_S = 1;

export class EventSourceMapping {
  invocations = 0;
  failures = 0;

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly queueArn: string,
    private readonly handler: SqsHandler,
    private readonly options: {
      batchSize: number;
      functionName: string;
      /** Each invocation's time, and the clock it runs down on (two minutes of real time when absent). */
      budget?: { timeoutMs: () => number; clock: ContextClock };
      /** A crash after the handler succeeded but before the mapping deleted the message: it comes back. */
      skipAck?: (record: SQSRecord) => boolean;
    },
  ) {}

  /** Receives and processes one batch; returns how many messages it received. */
  async pollOnce(): Promise<number> {
    const { Messages = [] } = await this.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.queueUrl,
        MaxNumberOfMessages: this.options.batchSize,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
        WaitTimeSeconds: 0,
        VisibilityTimeout: IN_FLIGHT_VISIBILITY_S,
      }),
    );
    if (Messages.length === 0) return 0;
    const event: SQSEvent = { Records: Messages.map((m) => this.record(m)) };
    this.invocations++;
    let failed: Set<string>;
    try {
      const budget = this.options.budget;
      const context = lambdaContext(
        this.options.functionName,
        budget && { timeoutMs: budget.timeoutMs(), clock: budget.clock },
      );
      const response = (await this.handler(event, context)) as SQSBatchResponse | undefined;
      failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch {
      failed = new Set(Messages.map((m) => m.MessageId ?? ''));
    }
    this.failures += failed.size;
    const skip = this.options.skipAck;
    const done = Messages.filter(
      (m, i) => !failed.has(m.MessageId ?? '') && !skip?.(event.Records[i] as SQSRecord),
    );
    if (done.length > 0) {
      await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
    const kept = Messages.filter((m) => !done.includes(m));
    if (kept.length > 0) {
      await this.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: kept.map((m, i) => ({
            Id: String(i),
            ReceiptHandle: m.ReceiptHandle,
            VisibilityTimeout: RETRY_VISIBILITY_S,
          })),
        }),
      );
    }
    return Messages.length;
  }

  /** Polls until the queue holds no message, visible or in flight, or `timeoutMs` passes. */
  async drain(timeoutMs = 120_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      if ((await this.pollOnce()) > 0) continue;
      if ((await queueDepth(this.sqs, this.queueUrl)) === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${this.queueUrl} did not drain within ${timeoutMs} ms`);
  }

  private record(message: Message): SQSRecord {
    const a = message.Attributes ?? {};
    return {
      messageId: message.MessageId ?? '',
      receiptHandle: message.ReceiptHandle ?? '',
      body: message.Body ?? '',
      attributes: {
        ApproximateReceiveCount: a.ApproximateReceiveCount ?? '1',
        SentTimestamp: a.SentTimestamp ?? '0',
        SenderId: a.SenderId ?? 'AIDALOCAL',
        ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? '0',
        ...(a.MessageGroupId ? { MessageGroupId: a.MessageGroupId } : {}),
        ...(a.MessageDeduplicationId ? { MessageDeduplicationId: a.MessageDeduplicationId } : {}),
        ...(a.SequenceNumber ? { SequenceNumber: a.SequenceNumber } : {}),
      },
      // As Lambda hands them over: lower-case keys, empty list fields.
      messageAttributes: Object.fromEntries(
        Object.entries(message.MessageAttributes ?? {}).map(([name, a]) => [
          name,
          {
            dataType: a.DataType ?? 'String',
            ...(a.StringValue === undefined ? {} : { stringValue: a.StringValue }),
            stringListValues: [],
            binaryListValues: [],
          },
        ]),
      ),
      md5OfBody: message.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: this.queueArn,
      awsRegion: 'us-east-1',
    };
  }
}

/** Messages in a queue, visible or in flight. */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}
