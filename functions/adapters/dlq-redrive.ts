import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { messageOf } from '../core/errors.js';

/** How many messages of a dead-letter queue to move back, and how to name the re-sent ones. */
export interface RedriveOptions {
  dlqUrl: string;
  queueUrl: string;
  /** Most messages to move (Infinity: all that were there when the redrive started). */
  limit: number;
  /** Epoch ms of the redrive: the `.r<ms>` suffix of the new deduplication ids. */
  nowMs: number;
  /** Seconds a received message stays hidden while it is being moved (default 120). */
  visibilityTimeout?: number;
}

export interface RedriveResult {
  dlqUrl: string;
  queueUrl: string;
  /** Messages in the DLQ when the redrive started (SQS's approximate count). */
  found: number;
  moved: number;
  /** Set when a send failed: that message stays in the DLQ, and the redrive stopped there. */
  error?: string;
}

const MAX_DEDUP_ID = 128;

/**
 * Moves messages from a dead-letter queue back to its source queue: each is sent first and deleted from the
 * DLQ only once the send succeeded, so a failure never loses one (at worst it is sent twice). On a FIFO queue
 * the message keeps its `MessageGroupId` (the chain, one page in flight) and gets a new
 * `MessageDeduplicationId` (`<original>.r<ms>`): the original may still be inside SQS's 5-minute deduplication
 * window, where the send would be accepted and silently dropped. Moves at most the messages present at the
 * start, so a message that fails again and comes back to the DLQ is not moved round in circles.
 */
export async function redriveQueue(client: SQSClient, options: RedriveOptions): Promise<RedriveResult> {
  const { dlqUrl, queueUrl } = options;
  const found = await approximateCount(client, dlqUrl);
  const result: RedriveResult = { dlqUrl, queueUrl, found, moved: 0 };
  const wanted = Math.min(found, options.limit);
  const fifo = queueUrl.endsWith('.fifo');
  let emptyReceives = 0;
  while (result.moved < wanted && emptyReceives < 2) {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: dlqUrl,
        MaxNumberOfMessages: Math.min(10, wanted - result.moved),
        VisibilityTimeout: options.visibilityTimeout ?? 120,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ['MessageGroupId', 'MessageDeduplicationId'],
        MessageAttributeNames: ['All'],
      }),
    );
    emptyReceives = Messages.length === 0 ? emptyReceives + 1 : 0;
    for (const message of Messages) {
      try {
        await client.send(
          new SendMessageCommand({ QueueUrl: queueUrl, ...resent(message, fifo, options.nowMs) }),
        );
      } catch (error) {
        result.error = `sending message ${message.MessageId} to ${queueUrl} failed: ${messageOf(error)}`;
        return result;
      }
      await client.send(new DeleteMessageCommand({ QueueUrl: dlqUrl, ReceiptHandle: message.ReceiptHandle }));
      result.moved++;
    }
  }
  return result;
}

/** The send of a dead-lettered message to its source queue. */
export function resent(message: Message, fifo: boolean, nowMs: number) {
  // Only what a send takes: a received attribute may also carry empty list fields that a send refuses.
  const attributes = Object.entries(message.MessageAttributes ?? {}).map(([name, a]) => [
    name,
    { DataType: a.DataType, StringValue: a.StringValue, BinaryValue: a.BinaryValue },
  ]);
  const base = {
    MessageBody: message.Body ?? '',
    ...(attributes.length > 0 ? { MessageAttributes: Object.fromEntries(attributes) } : {}),
  };
  if (!fifo) return base;
  const original = message.Attributes?.MessageDeduplicationId ?? message.MessageId ?? 'message';
  const suffix = `.r${nowMs}`;
  return {
    ...base,
    MessageGroupId: message.Attributes?.MessageGroupId ?? 'walake-redrive',
    MessageDeduplicationId: `${original.slice(0, MAX_DEDUP_ID - suffix.length)}${suffix}`,
  };
}

async function approximateCount(client: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes = {} } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  return Number(Attributes.ApproximateNumberOfMessages ?? 0);
}
