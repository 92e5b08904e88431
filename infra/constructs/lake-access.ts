import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';

/** What one function may do under each top-level prefix of the data bucket (`lake/`, `staging/`, `ledger/`). */
export interface PrefixAccess {
  readonly read?: readonly string[];
  readonly write?: readonly string[];
  /** Prefixes written by multipart upload (streamed): they also need `s3:AbortMultipartUpload`. */
  readonly multipart?: readonly string[];
  readonly delete?: readonly string[];
}

/**
 * Grants object access prefix by prefix, nothing bucket-wide but listing. `s3:ListBucket` is granted on the
 * bucket without a prefix condition on purpose: S3 answers a GET of a missing key with 404 NoSuchKey only to
 * a caller that may list the bucket, and 403 AccessDenied otherwise, and the ledger reads "no entry yet" from
 * that 404. The bucket holds nothing but this lake, so its key names are no secret to its own functions.
 * Each object wildcard is acknowledged (cdk-nag IAM5) on the grantee's role with the prefix it covers.
 */
export function grantPrefixes(bucket: s3.Bucket, role: iam.Role, access: PrefixAccess): void {
  const statements: [string[], readonly string[] | undefined][] = [
    [['s3:GetObject'], access.read],
    [['s3:PutObject'], access.write],
    // Multipart uploads (publishing streams a window in parts) are authorized by s3:PutObject; aborting one is not.
    [['s3:AbortMultipartUpload'], access.multipart],
    [['s3:DeleteObject'], access.delete],
  ];
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
  );
  const bucketId = Stack.of(bucket).getLogicalId(bucket.node.defaultChild as s3.CfnBucket);
  const acknowledged = new Set<string>();
  for (const [actions, prefixes] of statements) {
    if (!prefixes?.length) continue;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions, resources: prefixes.map((p) => bucket.arnForObjects(`${p}*`)) }),
    );
    for (const prefix of prefixes) {
      if (acknowledged.has(prefix)) continue;
      acknowledged.add(prefix);
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${prefix}*]`,
        reason: `Object keys under ${prefix} are derived per table and window at run time (see lake-keys.ts); the grant is limited to that prefix of the lake bucket.`,
      });
    }
  }
}
