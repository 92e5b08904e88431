import { RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

export interface SecureBucketProps {
  /** Where the bucket's server access logs go; omitted only for the log bucket itself. */
  readonly accessLogs?: { readonly bucket: s3.IBucket; readonly prefix: string };
  readonly versioned?: boolean;
  readonly lifecycleRules?: s3.LifecycleRule[];
  /** SSE-KMS with this key (and an S3 Bucket Key, so that S3 asks KMS once per object batch) instead of SSE-S3. */
  readonly encryptionKey?: kms.IKey;
}

/**
 * An S3 bucket with the defaults every bucket of the lake shares: no public access, TLS 1.2+ only (a bucket
 * policy denies plain HTTP), SSE-S3 encryption (Athena, Glue and S3 access logging all read it without KMS
 * grants) unless a KMS key is given, object ownership enforced (no ACLs), and kept when the stack is deleted: the lake is the product.
 */
export function secureBucket(scope: Construct, id: string, props: SecureBucketProps = {}): s3.Bucket {
  return new s3.Bucket(scope, id, {
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    ...(props.encryptionKey
      ? { encryption: s3.BucketEncryption.KMS, encryptionKey: props.encryptionKey, bucketKeyEnabled: true }
      : { encryption: s3.BucketEncryption.S3_MANAGED }),
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: props.versioned ?? false,
    serverAccessLogsBucket: props.accessLogs?.bucket,
    serverAccessLogsPrefix: props.accessLogs?.prefix,
    lifecycleRules: props.lifecycleRules,
    removalPolicy: RemovalPolicy.RETAIN,
  });
}
