import { Duration } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** AWS recommends a visibility timeout of at least six times the consumer's timeout for Lambda event sources. */
export const VISIBILITY_FACTOR = 6;

export interface QueueWithDlqProps {
  /** A FIFO queue (and FIFO dead-letter queue): the page queue. */
  readonly fifo?: boolean;
  /** Timeout of the Lambda that consumes the queue. */
  readonly consumerTimeout: Duration;
  /** Receives before a message moves to the dead-letter queue. */
  readonly maxReceiveCount: number;
  /** How long a message may wait before SQS deletes it unread (not into the DLQ): SQS's default is 4 days. */
  readonly retentionPeriod?: Duration;
}

/**
 * A queue and its dead-letter queue, both encrypted (SSE-SQS) and TLS-only. A message that keeps failing
 * lands in the DLQ, kept there for the 14-day maximum so an alarm and an operator have time to look at it.
 */
export class QueueWithDlq extends Construct {
  readonly queue: sqs.Queue;
  readonly dlq: sqs.Queue;

  constructor(scope: Construct, id: string, props: QueueWithDlqProps) {
    super(scope, id);
    if (props.maxReceiveCount < 5) throw new Error(`${id}: maxReceiveCount must be at least 5`);
    const fifo = props.fifo ? { fifo: true, contentBasedDeduplication: false } : {};
    this.dlq = new sqs.Queue(this, 'Dlq', {
      ...fifo,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      // The worker sets MessageDeduplicationId (chain id + page): content-based deduplication would also drop
      // a legitimately repeated body.
      ...fifo,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * VISIBILITY_FACTOR),
      retentionPeriod: props.retentionPeriod,
      deadLetterQueue: { queue: this.dlq, maxReceiveCount: props.maxReceiveCount },
    });
  }
}
