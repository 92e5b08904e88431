import { CustomResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { API_RETENTION_MS } from '../../functions/core/control-message.js';
import { ledgerPrefix } from '../../functions/core/lake-keys.js';
import type { Table } from '../../functions/core/tables.js';

/** What CloudFormation sends a custom resource, as far as the first day needs it. */
export interface FirstDayRequest {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: {
    readonly FirstDay?: string;
    readonly HistoryDays?: string;
    readonly Bucket?: string;
    readonly LedgerPrefixes?: readonly string[];
  };
}

/**
 * The lake's first day, decided once: the day given (`firstDay` context), else, when the resource is created,
 * the earlier of the ledger's first day (a lake that was there before, e.g. a stack upgraded to this resource)
 * and the first day the 8x8 API still serves (two years back), since the planner refuses anything older and
 * nothing before it can land. The day is the resource's physical id, so an update without a new day keeps it:
 * it never moves on by itself and never hides days the lake holds. Self-contained: it runs as inline code.
 */
export function decideFirstDay(request: FirstDayRequest, nowMs: number, ledgerFirstDay?: string): string {
  const given = request.ResourceProperties.FirstDay ?? '';
  const kept = request.PhysicalResourceId ?? '';
  if (
    request.RequestType !== 'Create' &&
    /^\d{4}-\d{2}-\d{2}$/.test(kept) &&
    (given === '' || given === kept)
  )
    return kept;
  if (given !== '') return given;
  const historyMs = Number(request.ResourceProperties.HistoryDays) * 86_400_000;
  const served = new Date(nowMs - historyMs).toISOString().slice(0, 10);
  return ledgerFirstDay !== undefined && ledgerFirstDay < served ? ledgerFirstDay : served;
}

/** Whether {@link decideFirstDay} needs the ledger's first day: only a creation without a day given. */
export function needsLedger(request: FirstDayRequest): boolean {
  return request.RequestType === 'Create' && (request.ResourceProperties.FirstDay ?? '') === '';
}

/** The handler's code: {@link decideFirstDay}, and the answer PUT to CloudFormation's presigned URL. */
export const FIRST_DAY_CODE = `const decideFirstDay = ${decideFirstDay.toString()};
const needsLedger = ${needsLedger.toString()};
async function readLedgerFirstDay(props) {
  const { S3Client, ListObjectsV2Command } = require('@aws-sdk/client-s3');
  const s3 = new S3Client({});
  const days = [];
  for (const prefix of props.LedgerPrefixes || []) {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: props.Bucket, Prefix: prefix, MaxKeys: 1 }));
    const key = (listed.Contents || [])[0]?.Key || '';
    const day = key.split('/dt=')[1]?.slice(0, 10);
    if (day) days.push(day);
  }
  return days.sort()[0];
}
exports.handler = async (event) => {
  let status = 'SUCCESS';
  let reason = 'first day decided';
  let day = event.PhysicalResourceId || 'undecided';
  try {
    const ledger = needsLedger(event) ? await readLedgerFirstDay(event.ResourceProperties) : undefined;
    day = decideFirstDay(event, Date.now(), ledger);
  } catch (error) {
    status = 'FAILED';
    reason = String(error);
  }
  console.log(JSON.stringify({ requestType: event.RequestType, status, day, reason }));
  const body = JSON.stringify({
    Status: status, Reason: reason, PhysicalResourceId: day, StackId: event.StackId,
    RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId, Data: { FirstDay: day },
  });
  const url = new URL(event.ResponseURL);
  const client = require(url.protocol === 'https:' ? 'node:https' : 'node:http');
  await new Promise((resolve, reject) => {
    const request = client.request(url, {
      method: 'PUT',
      headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
    }, (response) => { response.resume(); response.on('end', resolve); });
    request.on('error', reject);
    request.end(body);
  });
};
`;

export interface FirstDayProps {
  /** The `firstDay` context: a day given by the operator, or undefined to decide it at creation. */
  readonly firstDay?: string;
  /** The lake, whose ledger says where a lake made before this resource begins. */
  readonly dataBucket: s3.IBucket;
  readonly tables: readonly Table[];
}

/**
 * The first `dt` of the Athena tables' partition projection, matched to the data: AWS advises a projection
 * range that matches the data, since a query without a `dt` filter lists every day of the range.
 */
export class FirstDay extends Construct {
  /** `YYYY-MM-DD`, resolved at deploy time. */
  readonly day: string;

  constructor(scope: Construct, id: string, props: FirstDayProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Decides the first day of the lake of ${Stack.of(this).stackName} (role)`,
    });
    logGroup.grantWrite(role);
    const prefixes = props.tables.map((table) => ledgerPrefix(table));
    // Listing is all it does: the first key under each table's ledger names its first day (keys sort by day).
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [props.dataBucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': prefixes.map((p) => `${p}*`) } },
      }),
    );
    const fn = new lambda.Function(this, 'Function', {
      description: 'Decides the first day of the Athena tables (custom resource)',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromInline(FIRST_DAY_CODE),
      timeout: Duration.seconds(30),
      memorySize: 128,
      role,
      logGroup,
    });
    const resource = new CustomResource(this, 'Resource', {
      serviceToken: fn.functionArn,
      resourceType: 'Custom::WalakeFirstDay',
      properties: {
        FirstDay: props.firstDay ?? '',
        HistoryDays: String(API_RETENTION_MS / 86_400_000),
        Bucket: props.dataBucket.bucketName,
        LedgerPrefixes: prefixes,
      },
    });
    this.day = resource.ref;
  }
}
