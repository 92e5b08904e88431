import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { credentialsSecretSchema } from '../../functions/adapters/secret-credentials.js';
import { ledgerStatus } from '../../functions/cli/status-report.js';
import { MAIN_HELP } from '../../functions/cli/usage.js';
import { METRICS } from '../../functions/handlers/config.js';
import { CONTEXT_KEYS, parseLakeConfig } from '../../infra/config.js';
import { repoRoot } from '../../infra/paths.js';
import { captureIo } from '../integration/cli-support.js';
import { resourcesOf } from './cfn.js';
import { commandsOf, type DocCommand, words } from './doc-commands.js';
import { type SynthesizedLake, synthLake } from './synth.js';

/**
 * Every command the day-one guide and the runbook show, checked against what it names: a `walake` command
 * against its own `--help`, a `cdk` or `npm` command against theirs and the stack's context keys, an AWS CLI
 * command against the AWS API model (botocore, which moto brings) and the synthesized template: the outputs it
 * reads, the log groups it tails, the alarms it names, the variables it was told to set.
 */
const DOCS = ['docs/deploy.md', 'docs/operations.md'];
const ROOT = repoRoot();
const commands = DOCS.flatMap((doc) => commandsOf(doc, readFileSync(join(ROOT, doc), 'utf8')));

/** Options every AWS CLI command takes (`aws help global`). */
const AWS_GLOBAL = ['query', 'output', 'region', 'profile', 'no-cli-pager', 'endpoint-url', 'debug'];
/**
 * `aws logs tail` is an AWS CLI customization, not an API operation, so no model lists its options: these are
 * the ones its reference page documents.
 */
const LOGS_TAIL = [
  'follow',
  'format',
  'since',
  'filter-pattern',
  'log-stream-names',
  'log-stream-name-prefix',
];

type ApiModel = Record<string, Record<string, Record<string, { enum: string[] | null; list: boolean }>>>;

/** Operations and their parameters, as the AWS CLI names them, from botocore's service models. */
function apiModel(services: string[]): ApiModel {
  const script = `
import json, sys
import botocore.session
from botocore import xform_name
session = botocore.session.get_session()
out = {}
for name in sys.argv[1:]:
    model = session.get_service_model(name)
    ops = {}
    for op_name in model.operation_names:
        shape = model.operation_model(op_name).input_shape
        params = {}
        for member, member_shape in (shape.members.items() if shape else []):
            inner = member_shape.member if member_shape.type_name == 'list' else member_shape
            params[xform_name(member, '-')] = {
                'enum': list(inner.enum) if getattr(inner, 'enum', None) else None,
                'list': member_shape.type_name == 'list',
            }
        ops[xform_name(op_name, '-')] = params
    out[name] = ops
print(json.dumps(out))
`;
  const run = spawnSync('python3', ['-c', script, ...services], { encoding: 'utf8' });
  if (run.status !== 0)
    throw new Error(`botocore could not be read (install moto, which brings it): ${run.stderr}`);
  return JSON.parse(run.stdout) as ApiModel;
}

/** A `walake` command's flags, read from its `--help`: name -> whether it takes a value. */
const WALAKE_MODULES: Record<string, () => Promise<(argv: string[], io: never) => Promise<number>>> = {
  run: async () => (await import('../../functions/cli/run.js')).runCommand as never,
  rerun: async () => (await import('../../functions/cli/rerun.js')).rerunCommand as never,
  backfill: async () => (await import('../../functions/cli/backfill.js')).backfillCommand as never,
  status: async () => (await import('../../functions/cli/status.js')).statusCommand as never,
  redrive: async () => (await import('../../functions/cli/redrive.js')).redriveCommand as never,
  probe: async () => (await import('../../functions/cli/probe.js')).probeCommand as never,
  query: async () => (await import('../../functions/cli/query.js')).queryCommand as never,
  report: async () => (await import('../../functions/cli/report.js')).reportCommand as never,
};
const helpCache = new Map<string, Map<string, boolean>>();
async function walakeFlags(name: string): Promise<Map<string, boolean>> {
  const cached = helpCache.get(name);
  if (cached) return cached;
  const load = WALAKE_MODULES[name];
  if (!load || !new RegExp(`^\\s+${name}\\b`, 'm').test(MAIN_HELP))
    throw new Error(`no walake command ${name}`);
  const cli = captureIo();
  await (await load())(['--help'], cli.io as never);
  const flags = new Map<string, boolean>();
  for (const m of cli.out().matchAll(/^ {2}--([a-z-]+)( [A-Z]+)?/gm))
    flags.set(m[1] ?? '', m[2] !== undefined);
  flags.set('help', false);
  helpCache.set(name, flags);
  return flags;
}

const cdkHelp = new Map<string, string>();
function cdkFlags(sub: string): string {
  const cached = cdkHelp.get(sub);
  if (cached !== undefined) return cached;
  const run = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk'), sub, '--help'],
    {
      encoding: 'utf8',
      env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: '1' },
    },
  );
  const help = `${run.stdout}${run.stderr}`;
  cdkHelp.set(sub, help);
  return help;
}

let lake: SynthesizedLake;
let kms: SynthesizedLake;
let model: ApiModel;
let outputs: Set<string>;
let logGroups: Set<string>;
let alarms: Set<string>;
let workGroups: Set<string>;
/** Variables each document sets, from an output: name -> output. */
const defined = new Map<string, Map<string, string>>();

beforeAll(() => {
  lake = synthLake({}, { bundle: false });
  kms = synthLake({ dataEncryption: 'sse-kms' }, { bundle: false });
  outputs = new Set([
    ...Object.keys(lake.template.toJSON().Outputs),
    ...Object.keys(kms.template.toJSON().Outputs),
  ]);
  const props = (type: string) => resourcesOf(lake.template, type).map(([, r]) => r.Properties ?? {});
  logGroups = new Set(
    props('AWS::Logs::LogGroup').flatMap((g) => (g.LogGroupName ? [String(g.LogGroupName)] : [])),
  );
  alarms = new Set(props('AWS::CloudWatch::Alarm').map((a) => String(a.AlarmName)));
  workGroups = new Set(props('AWS::Athena::WorkGroup').map((w) => String(w.Name)));
  const services = new Set(
    commands.flatMap((c) => {
      const w = words(c.text);
      const at = w.indexOf('aws');
      return at >= 0 && w[at + 1] ? [w[at + 1] as string] : [];
    }),
  );
  model = apiModel([...services]);
  for (const c of commands) {
    const m = /^([A-Z_]+)=\$\(out ([A-Za-z]+)\)$/.exec(c.text);
    if (m) {
      const vars = defined.get(c.doc) ?? new Map<string, string>();
      vars.set(m[1] ?? '', m[2] ?? '');
      defined.set(c.doc, vars);
    }
  }
}, 120_000);

/** The problems of one AWS CLI command (`aws <service> <operation> …`), none when it is right. */
function awsProblems(c: DocCommand, w: string[]): string[] {
  const [, service = '', operation = '', ...args] = w;
  const problems: string[] = [];
  const vars = defined.get(c.doc) ?? new Map<string, string>();
  for (const m of c.text.matchAll(/"\$([A-Z_]+)"/g)) {
    if (!vars.has(m[1] ?? '')) problems.push(`uses $${m[1]}, which ${c.doc} never sets from an output`);
  }
  for (const m of c.text.matchAll(/OutputKey=='([^']+)'/g)) {
    if (m[1] !== '$1' && !outputs.has(m[1] ?? ''))
      problems.push(`reads output ${m[1]}, which the stack lacks`);
  }
  if (service === 'logs' && operation === 'tail') {
    const [group = '', ...rest] = args;
    if (!logGroups.has(group))
      problems.push(`tails ${group}, not a log group of the stack (${[...logGroups]})`);
    for (const a of rest)
      if (a.startsWith('--') && !LOGS_TAIL.includes(a.slice(2))) problems.push(`logs tail has no ${a}`);
    return problems;
  }
  const params = model[service]?.[operation];
  if (!params) return [`aws ${service} ${operation} is no AWS CLI operation`];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (!a.startsWith('--')) continue;
    const name = a.slice(2);
    if (AWS_GLOBAL.includes(name)) {
      i++;
      continue;
    }
    const param = params[name];
    if (!param) {
      problems.push(`aws ${service} ${operation} has no --${name}`);
      continue;
    }
    const values: string[] = [];
    while (args[i + 1] !== undefined && !(args[i + 1] ?? '').startsWith('--')) values.push(args[++i] ?? '');
    if (param.enum)
      for (const v of values)
        if (!param.enum.includes(v)) problems.push(`--${name} ${v}: not one of ${param.enum}`);
    if (name === 'stack-name' && values[0] !== 'WorkAnalyticsLake')
      problems.push(`--stack-name ${values[0]}`);
    if (name === 'work-group' && !workGroups.has(values[0] ?? '')) problems.push(`--work-group ${values[0]}`);
    if (name === 'alarm-names') for (const v of values) if (!alarms.has(v)) problems.push(`no alarm ${v}`);
    if (name === 'secret-string') {
      const parsed = credentialsSecretSchema.safeParse(JSON.parse(values[0] ?? 'null'));
      if (!parsed.success)
        problems.push(`the secret's JSON is not what the functions read: ${parsed.error.message}`);
    }
  }
  return problems;
}

async function walakeProblems(w: string[]): Promise<string[]> {
  const at = w.indexOf('walake');
  const [name = '', ...args] = w.slice(at + 1);
  // `walake <command> --help`: every command has it.
  if (name === '<command>') return args.every((a) => a === '--help') ? [] : [`walake <command> ${args}`];
  let flags: Map<string, boolean>;
  try {
    flags = await walakeFlags(name);
  } catch (error) {
    return [(error as Error).message];
  }
  const problems: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (a === '|') break;
    if (!a.startsWith('--')) continue;
    const takesValue = flags.get(a.slice(2));
    if (takesValue === undefined) problems.push(`walake ${name} has no ${a}`);
    else if (takesValue) {
      const value = args[++i];
      if (value === undefined || value.startsWith('--')) problems.push(`walake ${name} ${a} needs a value`);
    }
  }
  const pipe = w.indexOf('|');
  if (pipe >= 0 && w[pipe + 1] === 'jq') {
    const status = ledgerStatus([], {
      tables: ['call-legs'],
      fromMs: 0,
      toMs: 3_600_000,
      gridMinutes: 60,
      nowMs: 3_600_000,
    });
    const key = /^\.([a-z]+)/i.exec(w[pipe + 2] ?? '')?.[1] ?? '';
    if (!(key in status)) problems.push(`status --json has no .${key}`);
  }
  return problems;
}

function cdkProblems(w: string[]): string[] {
  const problems: string[] = [];
  const context: Record<string, string> = {};
  for (let i = 0; i < w.length; i++) {
    if (w[i] === '-c' || w[i] === '--context') {
      const [key = '', ...value] = (w[++i] ?? '').split('=');
      if (!(CONTEXT_KEYS as string[]).includes(key)) problems.push(`-c ${key}: no such context key`);
      context[key] = value.join('=');
    }
  }
  try {
    parseLakeConfig(context);
  } catch (error) {
    problems.push((error as Error).message);
  }
  const scripts = (
    JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  ).scripts;
  if (w[0] === 'npm') {
    if (w[1] === 'run' && scripts[w[2] ?? ''] === undefined) problems.push(`npm run ${w[2]}: no such script`);
    return problems;
  }
  const sub = w[2] ?? '';
  const help = cdkFlags(sub);
  if (!help.includes(`cdk ${sub}`)) problems.push(`cdk ${sub}: no such command`);
  for (const a of w.slice(3)) {
    if (a.startsWith('--') && a !== '--context' && !help.includes(a.split('=')[0] ?? a))
      problems.push(`cdk ${sub} has no ${a}`);
    if (sub === 'bootstrap' && a.startsWith('aws://') && !/^aws:\/\/\d{12}\/[a-z]{2}(-[a-z]+)+-\d$/.test(a))
      problems.push(`bootstrap environment ${a}`);
  }
  return problems;
}

/** What is wrong with one documented command; a command of a kind no check knows is wrong too. */
async function problemsOf(c: DocCommand): Promise<string[]> {
  let w = words(c.text);
  const fn = /^out\(\) \{ (.*); \}$/.exec(c.text);
  if (fn) return awsProblems(c, words(fn[1] ?? ''));
  const assign = /^[A-Z_]+=\$\(out ([A-Za-z]+)\)$/.exec(c.text);
  if (assign) return outputs.has(assign[1] ?? '') ? [] : [`no output ${assign[1]}`];
  while (/^[A-Z_]+=/.test(w[0] ?? '')) w = w.slice(1);
  if (w[0] === 'walake' || (w[0] === 'npx' && w[1] === 'walake')) return walakeProblems(w);
  if (w[0] === 'aws') return awsProblems(c, w);
  if ((w[0] === 'npx' && w[1] === 'cdk') || w[0] === 'npm') return cdkProblems(w);
  return [`no check knows this command`];
}

describe('the commands of the day-one guide and the runbook', () => {
  it('are many, from both documents', () => {
    expect(commands.filter((c) => c.doc === 'docs/deploy.md').length).toBeGreaterThan(25);
    expect(commands.filter((c) => c.doc === 'docs/operations.md').length).toBeGreaterThan(25);
  });

  it('each name what the CLI, the AWS API and the synthesized stack have', { timeout: 120_000 }, async () => {
    const wrong: string[] = [];
    for (const c of commands) {
      for (const problem of await problemsOf(c)) wrong.push(`${c.doc}:${c.line} ${c.text}\n    ${problem}`);
    }
    expect(wrong).toEqual([]);
  });

  it('catch a command that names what the stack lacks', async () => {
    const bad = (text: string) => problemsOf({ doc: 'docs/deploy.md', line: 0, text });
    expect(await bad('aws logs tail /aws/lambda/WorkerFunction --since 1h')).toHaveLength(1);
    expect(await bad('walake status --stack WorkAnalyticsLake --everything')).toHaveLength(1);
    expect(
      await bad('aws sqs get-queue-attributes --queue-url "$NOWHERE" --attribute-names Age'),
    ).toHaveLength(2);
    expect(await bad('npx cdk deploy -c schedule=hourly')).not.toEqual([]);
    expect(await bad('aws scheduler get-rule --name x')).toHaveLength(1);
  });
});

describe('the costs and the teardown of the day-one guide', () => {
  const guide = readFileSync(join(ROOT, 'docs/deploy.md'), 'utf8');

  it('count the alarms and custom metrics the stack has', () => {
    const alarmList = resourcesOf(lake.template, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties ?? {});
    const mathAlarms = alarmList.filter((a) => a.Metrics !== undefined).length;
    const namespaces = new Set(alarmList.map((a) => a.Namespace).filter((n) => n === 'WorkAnalyticsLake'));
    expect(namespaces.size).toBe(1);
    expect(guide).toContain(
      `${alarmList.length} alarms, of which the ${mathAlarms} DLQ alarms read 2 metrics each`,
    );
    expect(guide).toContain(`${alarmList.length + mathAlarms} alarm metrics at $0.10`);
    const metrics = Object.keys(METRICS).length;
    expect(guide).toContain(`| ${metrics} custom metrics (EMF) at $0.30 | $${(metrics * 0.3).toFixed(2)} |`);
  });

  it('name every resource cdk destroy keeps', () => {
    const kept = resourcesOf(kms.template, 'AWS::S3::Bucket')
      .concat(resourcesOf(kms.template, 'AWS::KMS::Key'))
      .filter(([, r]) => r.DeletionPolicy === 'Retain')
      .map(([name]) => name.replace(/[0-9A-F]{8}$/, ''))
      .sort();
    expect(kept).toEqual(['AccessLogs', 'AthenaResults', 'Data', 'DataKey']);
    const section = guide.slice(guide.indexOf('## 10. Teardown'));
    for (const phrase of [
      '`DataBucketName`',
      '`AthenaResultsBucketName`',
      'access-logs bucket',
      '`DataKeyArn`',
    ])
      expect(section).toContain(phrase);
  });
});
