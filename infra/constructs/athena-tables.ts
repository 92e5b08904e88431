import { Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { columnsOf, glueColumns } from '../../functions/core/record-schema.js';
import { type Table, tableFolder } from '../../functions/core/tables.js';
import { AthenaViews } from './athena-views.js';
import { freshnessQuery, missedCallsQuery, parquetQuery } from './named-queries.js';
import { viewQueries } from './view-queries.js';

export const JSON_SERDE = 'org.apache.hive.hcatalog.data.JsonSerDe';
export const TEXT_INPUT_FORMAT = 'org.apache.hadoop.mapred.TextInputFormat';
export const TEXT_OUTPUT_FORMAT = 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat';
const GIB = 1024 ** 3;
export const ATHENA_ENGINE = 'Athena engine version 3';

export interface AthenaTablesProps {
  /** The Glue database and Athena workgroup name. */
  readonly lakeName: string;
  readonly dataBucket: s3.IBucket;
  readonly resultsBucket: s3.IBucket;
  readonly tables: readonly Table[];
  /** First day of the `dt` projection range (`YYYY-MM-DD`). */
  readonly firstDay: string;
  readonly bytesScannedCutoffGb: number;
  /** Hours within which an outbound call counts as a callback in the `missed_calls` view (default 24). */
  readonly callbackHours?: number;
  /** The data's customer-managed key (`dataEncryption: sse-kms`): query results are encrypted with it too. */
  readonly resultsKey?: kms.IKey;
}

/**
 * The lake as Athena sees it: a Glue database with one table per API table, its columns generated from the
 * record schema (the one the worker writes with), read with the Hive JSON SerDe, and its `dt` partitions
 * found by projection (no crawler, no MSCK REPAIR); the analytics views over them (`calls_hourly`,
 * `call_journeys`, `missed_calls`, `service_daily`); a workgroup that enforces encrypted results and a
 * per-query scan cutoff; and saved queries for freshness, missed calls, the views and conversion to Parquet.
 */
export class AthenaTables extends Construct {
  readonly databaseName: string;
  readonly workGroupName: string;
  readonly viewNames: readonly string[];

  constructor(scope: Construct, id: string, props: AthenaTablesProps) {
    super(scope, id);
    const catalogId = Stack.of(this).account;
    this.databaseName = props.lakeName;
    const database = new glue.CfnDatabase(this, 'Database', {
      catalogId,
      databaseInput: {
        name: this.databaseName,
        description: '8x8 Work Analytics call legs and call records',
      },
    });
    const glueTables: glue.CfnTable[] = [];
    for (const table of props.tables) {
      const folder = tableFolder(table);
      const location = `s3://${props.dataBucket.bucketName}/lake/${folder}/`;
      const docs = columnsOf(table);
      const glueTable = new glue.CfnTable(this, `Table-${folder}`, {
        catalogId,
        databaseName: this.databaseName,
        tableInput: {
          name: folder,
          description: `8x8 Work Analytics /v2/${table}: one gzip'd JSON object per line, one file per window`,
          tableType: 'EXTERNAL_TABLE',
          partitionKeys: [{ name: 'dt', type: 'string', comment: 'UTC day of the window (YYYY-MM-DD)' }],
          parameters: {
            EXTERNAL: 'TRUE',
            classification: 'json',
            compressionType: 'gzip',
            has_encrypted_data: 'false',
            'projection.enabled': 'true',
            'projection.dt.type': 'date',
            'projection.dt.format': 'yyyy-MM-dd',
            'projection.dt.range': `${props.firstDay},NOW`,
            'projection.dt.interval': '1',
            'projection.dt.interval.unit': 'DAYS',
            'storage.location.template': `${location}dt=\${dt}/`,
          },
          storageDescriptor: {
            location,
            inputFormat: TEXT_INPUT_FORMAT,
            outputFormat: TEXT_OUTPUT_FORMAT,
            compressed: true,
            serdeInfo: { serializationLibrary: JSON_SERDE },
            columns: glueColumns(table).map((column, i) => ({
              ...column,
              comment: (docs[i]?.doc ?? '').slice(0, 255),
            })),
          },
        },
      });
      glueTable.addResourceDependency(database);
      glueTables.push(glueTable);
    }
    const views = new AthenaViews(this, 'Views', {
      catalogId,
      databaseName: this.databaseName,
      tables: props.tables,
      dependsOn: [database, ...glueTables],
      ...(props.callbackHours === undefined ? {} : { callbackHours: props.callbackHours }),
    });
    this.viewNames = views.viewNames;

    this.workGroupName = props.lakeName;
    const workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: this.workGroupName,
      description: 'Queries of the 8x8 Work Analytics lake',
      state: 'ENABLED',
      // Lets `cdk destroy` remove the workgroup even when it holds saved queries and history.
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: Math.round(props.bytesScannedCutoffGb * GIB),
        // Pinned: AUTO lets Athena move the workgroup to a new engine, and the saved queries with it, unannounced.
        engineVersion: { selectedEngineVersion: ATHENA_ENGINE },
        resultConfiguration: {
          outputLocation: `s3://${props.resultsBucket.bucketName}/results/`,
          encryptionConfiguration: props.resultsKey
            ? { encryptionOption: 'SSE_KMS', kmsKey: props.resultsKey.keyArn }
            : { encryptionOption: 'SSE_S3' },
        },
      },
    });

    const recordsTable: Table = props.tables.includes('call-records') ? 'call-records' : 'call-legs';
    const queries: [string, string, string][] = [
      [
        'freshness',
        'Latest day and rows of the last 2 days, per table',
        freshnessQuery(this.databaseName, props.tables),
      ],
      [
        'missed-calls-per-day',
        'Calls, missed and abandoned calls per day',
        missedCallsQuery(this.databaseName, recordsTable),
      ],
      ...viewQueries(this.databaseName, this.viewNames),
      ...props.tables.map((table): [string, string, string] => [
        `${tableFolder(table)}-to-parquet`,
        `CREATE TABLE AS: a day range of ${tableFolder(table)} to Parquet (at most 100 days and ${props.bytesScannedCutoffGb} GB scanned per query)`,
        parquetQuery(
          this.databaseName,
          table,
          `s3://${props.dataBucket.bucketName}/parquet/${tableFolder(table)}/`,
          props.bytesScannedCutoffGb,
        ),
      ]),
    ];
    for (const [name, description, queryString] of queries) {
      const query = new athena.CfnNamedQuery(this, `Query-${name}`, {
        name,
        description,
        database: this.databaseName,
        workGroup: this.workGroupName,
        queryString,
      });
      query.addResourceDependency(workGroup);
      query.addResourceDependency(database);
      query.node.addDependency(views);
    }
  }
}
