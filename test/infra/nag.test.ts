import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { type SynthesizedLake, synthLake, TEST_CONTEXT } from './synth.js';

/**
 * cdk-nag's AWS Solutions checks: zero findings, errors or warnings, on every shape of the stack, and every
 * acknowledgement both explained and still needed. Findings do not depend on the bundled code, so these
 * synthesize without bundling.
 */
const VARIANTS: Record<string, Record<string, unknown>> = {
  'with an alarm e-mail': TEST_CONTEXT,
  'with no alarm e-mail': {},
  'with a secret by name': { secretName: 'work-analytics/8x8' },
  'with a secret by ARN': { secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:wa/8x8-AbCdEf' },
  'with one table': { tables: 'call-legs' },
  'with a secret encrypted by a customer-managed key': {
    secretName: 'work-analytics/8x8',
    secretKmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  },
  'with the call data under SSE-KMS, a reserved concurrency and a kept topic key': {
    dataEncryption: 'sse-kms',
    reservedConcurrency: 40,
    alarmKeyRemovalPolicy: 'retain',
  },
  'as a second stack in the account': {
    stackName: 'WorkAnalyticsLake-dev',
    schedule: 'cron(0/30 * * * ? *)',
  },
};

/** The pack with acknowledgements ignored: what the stack would be reported for without them. */
class UnacknowledgedChecks extends AwsSolutionsChecks {}
Object.defineProperty(UnacknowledgedChecks.prototype, 'isAcknowledged', { value: () => false });

interface Finding {
  readonly rule: string;
  readonly path: string;
  readonly severity: string;
}

function findings(pack: AwsSolutionsChecks, app: App): Finding[] {
  return pack.validateScope(app).violations.flatMap((v) =>
    v.violatingResources.map((r) => ({
      rule: v.ruleName,
      path: r.constructPath ?? '?',
      severity: v.severity ?? '?',
    })),
  );
}

function acknowledgements(app: App): { rule: string; path: string; reason: string }[] {
  return app.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) =>
        Object.entries(m.data as Record<string, string>).map(([rule, reason]) => ({
          rule: rule.replace(/^annotation::/i, ''),
          path: construct.node.path,
          reason,
        })),
      ),
  );
}

const synthesized = new Map<string, SynthesizedLake>();
const variant = (name: string): SynthesizedLake => {
  const lake = synthesized.get(name) ?? synthLake(VARIANTS[name] ?? {}, { bundle: false });
  synthesized.set(name, lake);
  return lake;
};

describe.each(Object.keys(VARIANTS))('AwsSolutionsChecks %s', (name) => {
  let lake: SynthesizedLake;
  beforeAll(() => {
    lake = variant(name);
  });

  it('reports no unacknowledged finding, error or warning', () => {
    expect(findings(new AwsSolutionsChecks(), lake.app)).toEqual([]);
    // The plugin registered by buildApp ran at synthesis too: an unacknowledged error would have thrown.
    expect(() => lake.app.synth({ force: true })).not.toThrow();
  });

  it('acknowledges only real findings, each with a specific reason', () => {
    const raw = findings(new UnacknowledgedChecks(), lake.app);
    const acks = acknowledgements(lake.app);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.reason.length, ack.rule).toBeGreaterThan(60);
      const covered = raw.filter((f) => f.rule === ack.rule && `${f.path}/`.startsWith(`${ack.path}/`));
      expect(covered, `${ack.rule} on ${ack.path} acknowledges nothing`).not.toEqual([]);
    }
    for (const finding of raw) {
      const ack = acks.find((a) => a.rule === finding.rule && `${finding.path}/`.startsWith(`${a.path}/`));
      expect(ack, `${finding.rule} on ${finding.path}`).toBeDefined();
    }
  });
});

it('knows which findings the stack acknowledges', () => {
  const rules = new Set(acknowledgements(variant('with an alarm e-mail').app).map((a) => a.rule));
  expect([...rules].sort()).toEqual([
    'AwsSolutions-IAM5[Resource::*]',
    expect.stringMatching(/^AwsSolutions-IAM5\[Resource::<Data[0-9A-F]{8}\.Arn>\/control\/\*\]$/),
    expect.stringMatching(/^AwsSolutions-IAM5\[Resource::<Data[0-9A-F]{8}\.Arn>\/lake\/\*\]$/),
    expect.stringMatching(/^AwsSolutions-IAM5\[Resource::<Data[0-9A-F]{8}\.Arn>\/lake\/_manifest\.json\*\]$/),
    expect.stringMatching(/^AwsSolutions-IAM5\[Resource::<Data[0-9A-F]{8}\.Arn>\/ledger\/\*\]$/),
    expect.stringMatching(/^AwsSolutions-IAM5\[Resource::<Data[0-9A-F]{8}\.Arn>\/quarantine\/\*\]$/),
    expect.stringMatching(/^AwsSolutions-IAM5\[Resource::<Data[0-9A-F]{8}\.Arn>\/staging\/\*\]$/),
    expect.stringMatching(/^AwsSolutions-IAM5\[Resource::<PlannerFunction[0-9A-F]{8}\.Arn>:\*\]$/),
    'AwsSolutions-SMG4',
  ]);
});
