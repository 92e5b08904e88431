import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { ControlMessage } from '../core/control-message.js';

/** The message attribute that carries the sender's id of a control message, for the console and the logs. */
export const CONTROL_ID_ATTRIBUTE = 'walake-id';

/**
 * The planner's control queue. Each message carries the caller's deterministic id as an attribute; on a FIFO
 * queue the id is also the `MessageDeduplicationId` (one group, so the planner reads messages in order).
 */
export class SqsControlQueue {
  constructor(
    private readonly client: SQSClient,
    readonly queueUrl: string,
  ) {}

  /** Sends one control message; returns the SQS message id. */
  async send(message: ControlMessage, id: string): Promise<string> {
    const fifo = this.queueUrl.endsWith('.fifo');
    const answer = await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(message),
        MessageAttributes: { [CONTROL_ID_ATTRIBUTE]: { DataType: 'String', StringValue: id } },
        ...(fifo ? { MessageGroupId: 'walake-control', MessageDeduplicationId: id } : {}),
      }),
    );
    return answer.MessageId ?? '(no message id)';
  }
}
