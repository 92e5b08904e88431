import type { CfnResource } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import { Construct } from 'constructs';
import type { Table } from '../../functions/core/tables.js';
import {
  DEFAULT_CALLBACK_HOURS,
  hiveViewColumns,
  prestoViewText,
  viewDefinitions,
} from '../../functions/core/views.js';

export interface AthenaViewsProps {
  readonly catalogId: string;
  readonly databaseName: string;
  /** The tables the stack keeps: a view is defined only when every table it reads is there. */
  readonly tables: readonly Table[];
  /** The database and tables the views read, so they are created after and deleted before them. */
  readonly dependsOn: readonly CfnResource[];
  /** Hours within which an outbound call counts as a callback in `missed_calls` (default 24). */
  readonly callbackHours?: number;
}

/**
 * The analytics views as Glue views that Athena reads (Presto view encoding): declared in the template, so
 * they exist as soon as `cdk deploy` ends and change and disappear with the stack. The SQL and columns come
 * from `functions/core/views.ts`, the same definitions DuckDB runs locally.
 *
 * Chosen over a custom resource that runs `CREATE VIEW` through Athena: no Lambda, role, query to poll, results
 * to write or failure to report back to CloudFormation; an update replaces the definition in one Glue call,
 * and `cdk diff` shows the SQL. Its one risk is Athena refusing a view as stale when the declared columns do
 * not match what the SQL gives; the declared names and types are tested against DuckDB's view of the same SQL.
 */
export class AthenaViews extends Construct {
  readonly viewNames: string[] = [];

  constructor(scope: Construct, id: string, props: AthenaViewsProps) {
    super(scope, id);
    for (const view of viewDefinitions(props.callbackHours ?? DEFAULT_CALLBACK_HOURS)) {
      if (!view.reads.every((table) => props.tables.includes(table))) continue;
      const resource = new glue.CfnTable(this, `View-${view.name}`, {
        catalogId: props.catalogId,
        databaseName: props.databaseName,
        tableInput: {
          name: view.name,
          description: view.description,
          tableType: 'VIRTUAL_VIEW',
          parameters: { presto_view: 'true', comment: 'Presto View' },
          viewOriginalText: prestoViewText(view, props.databaseName),
          viewExpandedText: '/* Presto View */',
          storageDescriptor: {
            columns: hiveViewColumns(view),
            serdeInfo: {},
          },
        },
      });
      for (const table of props.dependsOn) resource.addDependency(table);
      this.viewNames.push(view.name);
    }
  }
}
