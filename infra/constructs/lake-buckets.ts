import { Duration } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { secureBucket } from './secure-bucket.js';

/** The stack's buckets: the lake, and Athena's query results. */
export interface LakeBuckets {
  readonly data: s3.Bucket;
  readonly results: s3.Bucket;
}

/**
 * The lake's storage: the data bucket (versioned, with its lifecycle), Athena's results and the access logs
 * of both. Made in `scope` itself (the stack), so that their logical ids are the stack's own.
 */
export function lakeBuckets(scope: Construct): LakeBuckets {
  const accessLogs = secureBucket(scope, 'AccessLogs', {
    lifecycleRules: [
      {
        id: 'ExpireAccessLogs',
        expiration: Duration.days(365),
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      },
    ],
  });
  const data = secureBucket(scope, 'Data', {
    versioned: true,
    accessLogs: { bucket: accessLogs, prefix: 'data/' },
    lifecycleRules: [
      // Staged pages are deleted once their window is published; this sweeps chains that never finished, and
      // drops the versions a delete leaves behind after a day (they are copies of what the lake now holds).
      {
        id: 'ExpireStaging',
        prefix: 'staging/',
        expiration: Duration.days(7),
        noncurrentVersionExpiration: Duration.days(1),
      },
      // Republished windows and rewritten ledger entries leave noncurrent versions: a month to undo a rerun.
      {
        id: 'ExpireNoncurrentVersions',
        noncurrentVersionExpiration: Duration.days(30),
        expiredObjectDeleteMarker: true,
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      },
    ],
  });
  const results = secureBucket(scope, 'AthenaResults', {
    accessLogs: { bucket: accessLogs, prefix: 'athena-results/' },
    lifecycleRules: [
      {
        id: 'ExpireResults',
        expiration: Duration.days(30),
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      },
    ],
  });

  return { data, results };
}
