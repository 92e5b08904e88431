import { createSocket } from 'node:dgram';
import { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import {
  daemonAddress,
  formatTraceHeader,
  parseTraceHeader,
  type SubsegmentDocument,
  XRayTracer,
} from '../../../functions/adapters/xray-tracer.js';
import { INSTANTS } from '../../support/clock.js';

const ROOT = '1-684778a0-0123456789abcdef01234567';
const FACADE = '53995c3f42cd8ad8';
const HEADER = `Root=${ROOT};Parent=${FACADE};Sampled=1;Lineage=a87bd80c:1`;

/** A tracer whose datagrams land in a list, on a clock that moves 5 ms each time it is read. */
function tracerWith(env: Record<string, string | undefined>) {
  const sent: SubsegmentDocument[] = [];
  let t = INSTANTS.busyDay;
  const tracer = new XRayTracer({
    serviceName: 'walake-test',
    env,
    now: () => (t += 5),
    send: async (datagram) => {
      const [head, body] = datagram.toString().split('\n');
      expect(JSON.parse(head ?? '')).toEqual({ format: 'json', version: 1 });
      sent.push(JSON.parse(body ?? '') as SubsegmentDocument);
    },
  });
  return { tracer, sent };
}

type Step = (request: { error?: unknown }) => unknown;
async function invoke(tracer: XRayTracer, body: () => Promise<void>): Promise<void> {
  const mw = tracer.handlerMiddleware<unknown, unknown>() as { before: Step; after: Step; onError: Step };
  await mw.before({});
  try {
    await body();
    await mw.after({});
  } catch (error) {
    await mw.onError({ error });
  }
}

describe('the trace header', () => {
  it('keeps every field it does not own, in order, and sets Parent', () => {
    const header = parseTraceHeader(HEADER);
    expect(header).toEqual({ root: ROOT, parent: FACADE, sampled: true, rest: ['Lineage=a87bd80c:1'] });
    if (!header) return;
    expect(formatTraceHeader({ ...header, parent: 'feedfacecafebeef' })).toBe(
      `Root=${ROOT};Parent=feedfacecafebeef;Sampled=1;Lineage=a87bd80c:1`,
    );
    expect(parseTraceHeader('Parent=1;Sampled=1')).toBeUndefined();
    expect(parseTraceHeader(undefined)).toBeUndefined();
  });

  it('reads the daemon address in both of its forms', () => {
    expect(daemonAddress('169.254.79.129:2000')).toEqual({ host: '169.254.79.129', port: 2000 });
    expect(daemonAddress('tcp:127.0.0.1:3000 udp:127.0.0.2:2001')).toEqual({ host: '127.0.0.2', port: 2001 });
    expect(daemonAddress(undefined)).toEqual({ host: '127.0.0.1', port: 2000 });
  });
});

describe('the X-Ray tracer', () => {
  it('sends the invocation as a subsegment of the function segment, with ColdStart only on the first', async () => {
    const { tracer, sent } = tracerWith({ _X_AMZN_TRACE_ID: HEADER, _HANDLER: 'index.handler' });
    await invoke(tracer, async () => {});
    await invoke(tracer, async () => {});
    expect(sent).toHaveLength(2);
    expect(sent[0]).toMatchObject({
      type: 'subsegment',
      trace_id: ROOT,
      parent_id: FACADE,
      name: '## index.handler',
      annotations: { ColdStart: true, Service: 'walake-test' },
    });
    expect(sent[0]?.id).toMatch(/^[0-9a-f]{16}$/);
    expect(sent[0]?.end_time).toBeGreaterThan(sent[0]?.start_time ?? Number.POSITIVE_INFINITY);
    expect(sent[1]?.annotations?.ColdStart).toBe(false);
    expect(sent[1]?.id).not.toBe(sent[0]?.id);
  });

  it('marks a failed invocation as a fault with its cause', async () => {
    const { tracer, sent } = tracerWith({ _X_AMZN_TRACE_ID: HEADER });
    await invoke(tracer, async () => {
      throw new TypeError('bad page');
    });
    expect(sent[0]).toMatchObject({
      fault: true,
      cause: { exceptions: [{ type: 'TypeError', message: 'bad page' }] },
    });
  });

  it('sends nothing outside Lambda or for an invocation Lambda did not sample', async () => {
    for (const env of [{}, { _X_AMZN_TRACE_ID: `Root=${ROOT};Parent=${FACADE};Sampled=0` }]) {
      const { tracer, sent } = tracerWith(env);
      const traced = tracer.traceFetch(async () => new Response('{}'));
      await invoke(tracer, async () => {
        await traced('https://api.8x8.com/analytics/work/v2/call-legs');
      });
      expect(sent).toEqual([]);
    }
  });

  it('records each 8x8 request under the invocation, with its status, and 429 as a throttle', async () => {
    const { tracer, sent } = tracerWith({ _X_AMZN_TRACE_ID: HEADER });
    const statuses = [200, 429];
    const traced = tracer.traceFetch(
      async () =>
        new Response('{"data":[]}', {
          status: statuses.shift() ?? 500,
          headers: { 'content-length': '11' },
        }),
    );
    await invoke(tracer, async () => {
      await traced('https://api.8x8.com/analytics/work/v2/call-legs?scrollId=abc', { method: 'GET' });
      await traced('https://api.8x8.com/analytics/work/v2/call-legs?scrollId=def');
    });
    const handler = sent.find((s) => s.name.startsWith('##'));
    const calls = sent.filter((s) => s.namespace === 'remote');
    expect(calls).toHaveLength(2);
    for (const call of calls) {
      expect(call).toMatchObject({ trace_id: ROOT, parent_id: handler?.id, name: 'api.8x8.com' });
      // The query (a scroll id) stays out of the trace.
      expect(call.http?.request?.url).toBe('https://api.8x8.com/analytics/work/v2/call-legs');
    }
    expect(calls[0]?.http?.response).toEqual({ status: 200, content_length: 11 });
    expect(calls[0]?.error).toBeUndefined();
    expect(calls[1]).toMatchObject({ error: true, throttle: true, http: { response: { status: 429 } } });
  });

  it('records a request that never answered as a remote fault, and rethrows', async () => {
    const { tracer, sent } = tracerWith({ _X_AMZN_TRACE_ID: HEADER });
    const traced = tracer.traceFetch(async () => {
      throw new Error('socket hang up');
    });
    await invoke(tracer, async () => {
      await expect(traced('https://api.8x8.com/x')).rejects.toThrow('socket hang up');
    });
    expect(sent.find((s) => s.namespace === 'remote')).toMatchObject({
      fault: true,
      cause: { exceptions: [{ message: 'socket hang up', remote: true }] },
    });
  });

  it('gives each AWS call its own subsegment and a trace header naming it, keeping Lambda fields', async () => {
    const { tracer, sent } = tracerWith({ _X_AMZN_TRACE_ID: HEADER });
    const headers: string[] = [];
    const s3 = tracer.traceClient(
      new S3Client({
        region: 'eu-west-1',
        credentials: { accessKeyId: 'k', secretAccessKey: 's' },
        requestHandler: {
          handle: async (request: { headers: Record<string, string> }) => {
            headers.push(request.headers['X-Amzn-Trace-Id'] ?? request.headers['x-amzn-trace-id'] ?? '');
            return {
              response: {
                statusCode: 404,
                headers: { 'x-amz-request-id': 'REQ1' },
                body: new Uint8Array(),
              },
            };
          },
        } as never,
        maxAttempts: 1,
      }),
    );
    const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
    await invoke(tracer, async () => {
      await expect(s3.send(new HeadObjectCommand({ Bucket: 'b', Key: 'k' }))).rejects.toThrow();
    });
    const call = sent.find((s) => s.namespace === 'aws');
    const handler = sent.find((s) => s.name.startsWith('##'));
    expect(call).toMatchObject({
      name: 'S3',
      parent_id: handler?.id,
      aws: { operation: 'HeadObject', region: 'eu-west-1', request_id: 'REQ1' },
      http: { response: { status: 404 } },
      error: true,
    });
    expect(headers).toEqual([`Root=${ROOT};Parent=${call?.id};Sampled=1;Lineage=a87bd80c:1`]);
  });

  it('sends its datagrams over UDP to the daemon address', async () => {
    const socket = createSocket('udp4');
    const received = new Promise<string>((resolve) => socket.once('message', (m) => resolve(m.toString())));
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    try {
      const tracer = new XRayTracer({
        serviceName: 'walake-test',
        env: { _X_AMZN_TRACE_ID: HEADER, AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${socket.address().port}` },
      });
      await invoke(tracer, async () => {});
      expect(await received).toMatch(/^\{"format": "json", "version": 1\}\n\{"type":"subsegment"/);
    } finally {
      socket.close();
    }
  });
});
