import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { INSTANTS } from '../support/clock.js';
import { motoClientConfig } from '../support/moto.js';
import { Pipeline } from '../support/pipeline.js';
import { recordFigures } from './figures.js';

const valid = {
  v: 2,
  table: 'call-legs',
  window: '20261127T0100Z-60m',
  pbx: 'allpbxes',
  attempt: 1,
  chain: 'k3x9q0w2m1zp',
  page: 2,
  scrollId: 'c3VwZXJ0ZW5hbnRjc21fMTYzNTU3MTA0ODM0NV8xXzE2NDM4OTc0OTI5MDM',
  firstPageTotal: 20,
  rowsSoFar: 7,
  droppedSoFar: 0,
  isConnectTime: false,
  isSimplified: false,
  pageSize: 7,
};
/** A day `offset` days before the pipeline's fixed "now". */
const day = (offset: number) =>
  new Date(INSTANTS.afterBusyDay - offset * 86_400_000).toISOString().slice(0, 10);
const rerun = {
  v: 1,
  kind: 'rerun',
  table: 'call-legs',
  from: `${day(2)}T00:00:00Z`,
  to: `${day(1)}T00:00:00Z`,
};

const PAGE_POISON: [string, string, RegExp][] = [
  ['bad JSON', '{"v":1,', /not JSON/],
  ['an unknown version', JSON.stringify({ ...valid, v: 1 }), /v: /],
  ['a task without its chain id', JSON.stringify({ ...valid, chain: undefined }), /chain: /],
  ['an unknown table', JSON.stringify({ ...valid, table: 'calls' }), /table: /],
  ['a page over the cap', JSON.stringify({ ...valid, page: 10_001 }), /page: /],
  ['a page past its chain', JSON.stringify({ ...valid, page: 9 }), /page: is over the chain's cap/],
  ['an oversized scrollId', JSON.stringify({ ...valid, scrollId: 'A'.repeat(70_000) }), /scrollId: /],
  [
    'a scrollId with a control character',
    JSON.stringify({ ...valid, scrollId: 'a\u0000b' }),
    /scrollId: .*printable/,
  ],
  [
    'extra fields',
    JSON.stringify({ ...valid, token: 'eyJhbGciOi' }),
    /unknown field token \(a task must never carry/,
  ],
];
const CONTROL_POISON: [string, string, RegExp][] = [
  ['bad JSON', 'rerun please', /not JSON/],
  ['an unknown version', JSON.stringify({ ...rerun, v: 3 }), /v: /],
  ['an unknown table', JSON.stringify({ ...rerun, table: 'cdr' }), /table: /],
  ['from >= to', JSON.stringify({ ...rerun, from: rerun.to, to: rerun.from }), /must be before/],
  ['a range over the cap', JSON.stringify({ ...rerun, from: `${day(60)}T00:00:00Z` }), /over 31 days/],
  [
    'older than 2 years',
    JSON.stringify({ ...rerun, from: '2020-01-01T00:00:00Z', to: '2020-01-02T00:00:00Z' }),
    /two years/,
  ],
  ['extra fields', JSON.stringify({ ...rerun, priority: 'high' }), /unknown field priority/],
];

let pipeline: Pipeline | undefined;
afterEach(async () => {
  pipeline?.assertNoSecretPrinted();
  await pipeline?.stop();
  pipeline = undefined;
});

function errorLines(p: Pipeline): string[] {
  return p
    .records()
    .filter((r) => r.level === 'ERROR')
    .map((r) => String(r.message));
}

describe('reliability: poison messages', () => {
  it('drops each malformed page task once, with a log line naming the reason and a metric, and no API call', async () => {
    const p = await Pipeline.start({ sim: { apiKey: 'poison-key-6502', password: 'poison-pass-6809' } });
    pipeline = p;
    for (const [i, [, body]] of PAGE_POISON.entries()) {
      await p.aws.sqs.send(
        new SendMessageCommand({
          QueueUrl: p.aws.pageQueue.url,
          MessageBody: body,
          MessageGroupId: `poison-${i}`,
          MessageDeduplicationId: `poison-${i}`,
        }),
      );
    }
    const esm = await p.drainPages({ pollers: 1 });
    expect(esm.failures).toBe(0);
    expect(await p.pageDepth()).toBe(0);
    expect(await p.dlqMessages()).toEqual([]);
    const errors = errorLines(p);
    for (const [name, , reason] of PAGE_POISON) {
      expect(
        errors.some((line) => reason.test(line)),
        `${name} is named in a log line`,
      ).toBe(true);
    }
    expect(p.metric('MessagesRejected')).toBe(PAGE_POISON.length);
    expect(p.sim.stats.reportRequests).toEqual({});
    expect(p.sim.stats.logins).toBe(0);
    recordFigures('poison-page', {
      messages: PAGE_POISON.length,
      rejected: p.metric('MessagesRejected'),
      apiCalls: 0,
    });
  });

  it('drops each malformed control message once, with a log line naming the reason and a metric, and queues nothing', async () => {
    const p = await Pipeline.start({ sim: { apiKey: 'poison-key-8080', password: 'poison-pass-8086' } });
    pipeline = p;
    for (const [, body] of CONTROL_POISON) await p.sendControl(body);
    const esm = await p.drainControl();
    expect(esm.failures).toBe(0);
    expect(await p.dlqMessages('control')).toEqual([]);
    expect(await p.pageDepth()).toBe(0);
    const errors = errorLines(p);
    for (const [name, , reason] of CONTROL_POISON) {
      expect(
        errors.some((line) => reason.test(line)),
        `${name} is named in a log line`,
      ).toBe(true);
    }
    expect(p.metric('MessagesRejected')).toBe(CONTROL_POISON.length);
    expect(p.sim.stats.reportRequests).toEqual({});
    expect(p.sim.stats.logins).toBe(0);
    recordFigures('poison-control', {
      messages: CONTROL_POISON.length,
      rejected: p.metric('MessagesRejected'),
    });
  });

  it("refuses a rerun that starts before the tables' first day, saying which firstDay to deploy, and pulls nothing", async () => {
    const p = await Pipeline.start({ env: { FIRST_DAY: day(1) } });
    pipeline = p;
    try {
      await p.sendControl(rerun);
      const esm = await p.drainControl();
      expect(esm.failures).toBe(0);
      expect(await p.pageDepth()).toBe(0);
      expect(
        errorLines(p).some((line) =>
          line.includes(
            `starts before ${day(1)}, the first day the Athena tables read; deploy with -c firstDay=`,
          ),
        ),
      ).toBe(true);
      expect(p.metric('MessagesRejected')).toBe(1);
      expect(p.sim.stats.reportRequests).toEqual({});
      // A rerun from the first day on is the planner's as ever.
      await p.sendControl({ ...rerun, from: `${day(1)}T00:00:00Z`, to: `${day(1)}T02:00:00Z` });
      await p.drainControl();
      expect(await p.pageDepth()).toBeGreaterThan(0);
    } finally {
      delete process.env.FIRST_DAY;
    }
  });
});

describe('reliability: a deployment whose secret is not set yet', () => {
  it.each([
    ['the placeholder the stack created', 'Zr7#kq2!Lp9vW4xT'],
    ['an empty value', ''],
  ])(
    'waits quietly on %s: nothing queued, no error, no alarm metric, and a line saying how to set it',
    async (_name, value) => {
      const p = await Pipeline.start({ sim: { apiKey: 'wait-key-2718', password: 'wait-pass-3141' } });
      pipeline = p;
      const secrets = new SecretsManagerClient(motoClientConfig());
      // moto refuses an empty SecretString; a secret without a value yet is a new one with no string at all.
      if (value)
        await secrets.send(new PutSecretValueCommand({ SecretId: p.aws.secretArn, SecretString: value }));
      else
        await secrets.send(
          new PutSecretValueCommand({ SecretId: p.aws.secretArn, SecretBinary: new Uint8Array([0]) }),
        );
      await expect(p.schedule()).resolves.toEqual({ chains: 0, waiting: 'credentials' });
      expect(await p.pageDepth()).toBe(0);
      expect(p.metric('CredentialsRejected')).toBe(0);
      expect(errorLines(p)).toEqual([]);
      const waiting = p
        .records()
        .filter((r) => r.level === 'WARN')
        .map((r) => String(r.message));
      expect(
        waiting.some((line) =>
          /waiting for the 8x8 credentials: nothing queued.*put-secret-value/.test(line),
        ),
      ).toBe(true);
      expect(p.sim.stats.reportRequests).toEqual({});
      p.assertNoSecretPrinted(value ? [value] : []);
    },
  );

  it('still fails loudly on a value that is meant as JSON but is malformed', async () => {
    const p = await Pipeline.start({ sim: { apiKey: 'json-key-1618', password: 'json-pass-1414' } });
    pipeline = p;
    const secrets = new SecretsManagerClient(motoClientConfig());
    await secrets.send(
      new PutSecretValueCommand({ SecretId: p.aws.secretArn, SecretString: '{"apiKey": "k",' }),
    );
    await expect(p.schedule()).rejects.toThrow(/is not JSON/);
    expect(p.metric('CredentialsRejected')).toBe(1);
  });
});

describe('reliability: wrong credentials', () => {
  it.each([
    ['a bad password', { password: 'not-the-password-77' }, /username or password was refused/],
    ['a bad API key', { apiKey: 'not-the-key-88' }, /API key was refused/],
  ])(
    'fails the planner fast on %s, with a metric, nothing queued and no secret printed',
    async (_name, bad, message) => {
      const p = await Pipeline.start({ sim: { apiKey: 'cred-key-2600', password: 'cred-pass-1984' } });
      pipeline = p;
      const secrets = new SecretsManagerClient(motoClientConfig());
      const value = { apiKey: p.sim.apiKey, username: p.sim.username, password: p.sim.password, ...bad };
      await secrets.send(
        new PutSecretValueCommand({ SecretId: p.aws.secretArn, SecretString: JSON.stringify(value) }),
      );
      await expect(p.schedule()).rejects.toThrow(message);
      expect(await p.pageDepth()).toBe(0);
      expect(p.metric('CredentialsRejected')).toBe(1);
      expect(errorLines(p).some((line) => /refused the credentials: nothing queued/.test(line))).toBe(true);
      expect(p.sim.stats.reportRequests).toEqual({});
      p.assertNoSecretPrinted(Object.values(bad));
    },
  );
});
