import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { secureBucket } from './secure-bucket.js';

/** The stack's buckets: the lake, and Athena's query results. */
export interface LakeBuckets {
  readonly data: s3.Bucket;
  readonly results: s3.Bucket;
  /** The customer-managed key of the data and the results, with `dataEncryption: sse-kms`. */
  readonly key?: kms.Key;
}

/** How long the data bucket keeps what it does not hold for ever (README, "The lake"; docs/deploy.md). */
export const RETENTION_DAYS = {
  /** Pages of chains that never finished (a finished chain deletes its own). */
  staging: 7,
  /** Rows that contradicted the filter field: time to run `walake probe`, fix the setting and rerun. */
  quarantine: 90,
  /**
   * Control-message markers: a marker is what makes a message handled once, for 24 hours; kept past the
   * control queue's 4 days and its DLQ's 14, so that a redriven message still finds its checkpoint.
   */
  control: 30,
  /** Noncurrent versions of republished windows and rewritten ledger entries: a month to undo a rerun. */
  noncurrent: 30,
} as const;

export interface LakeBucketsProps {
  /** `sse-kms`: the data and Athena's results are encrypted with a customer-managed key of the stack. */
  readonly dataEncryption: 'sse-s3' | 'sse-kms';
}

/**
 * The lake's storage: the data bucket (versioned, with its lifecycle), Athena's results and the access logs
 * of both. Made in `scope` itself (the stack), so that their logical ids are the stack's own.
 */
export function lakeBuckets(scope: Construct, props: LakeBucketsProps): LakeBuckets {
  // Kept by `cdk destroy` like the buckets it encrypts: deleting it would make the retained lake unreadable.
  const key =
    props.dataEncryption === 'sse-kms'
      ? new kms.Key(scope, 'DataKey', {
          description: 'Encrypts the call data of the 8x8 Work Analytics lake and its Athena results',
          enableKeyRotation: true,
          removalPolicy: RemovalPolicy.RETAIN,
        })
      : undefined;
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
    encryptionKey: key,
    lifecycleRules: [
      // Staged pages are deleted once their window is published; this sweeps chains that never finished, and
      // drops the versions a delete leaves behind after a day (they are copies of what the lake now holds).
      {
        id: 'ExpireStaging',
        prefix: 'staging/',
        expiration: Duration.days(RETENTION_DAYS.staging),
        noncurrentVersionExpiration: Duration.days(1),
      },
      // Keyed by chain, so every re-pull of a window that quarantines adds a copy.
      {
        id: 'ExpireQuarantine',
        prefix: 'quarantine/',
        expiration: Duration.days(RETENTION_DAYS.quarantine),
        noncurrentVersionExpiration: Duration.days(1),
      },
      // One marker per control message id, for ever otherwise.
      {
        id: 'ExpireControlMarkers',
        prefix: 'control/',
        expiration: Duration.days(RETENTION_DAYS.control),
        noncurrentVersionExpiration: Duration.days(1),
      },
      // Republished windows and rewritten ledger entries leave noncurrent versions: a month to undo a rerun.
      {
        id: 'ExpireNoncurrentVersions',
        noncurrentVersionExpiration: Duration.days(RETENTION_DAYS.noncurrent),
        expiredObjectDeleteMarker: true,
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      },
    ],
  });
  // Query results hold rows of the data, so they are encrypted as the data is.
  const results = secureBucket(scope, 'AthenaResults', {
    accessLogs: { bucket: accessLogs, prefix: 'athena-results/' },
    encryptionKey: key,
    lifecycleRules: [
      {
        id: 'ExpireResults',
        expiration: Duration.days(30),
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      },
    ],
  });

  return { data, results, ...(key ? { key } : {}) };
}
