import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import type { MiddlewareObj } from '@middy/core';

/**
 * X-Ray tracing for the Lambdas, written against the X-Ray daemon's documented protocol instead of the X-Ray
 * SDK: a subsegment per invocation under the function's segment that Lambda opens, and one per AWS SDK call and
 * per 8x8 request under it, each sent to the daemon as a UDP datagram when it closes. It does what the
 * Powertools tracer did here (its `captureLambdaHandler` and `captureAWSv3Client`, and its `fetch` tracing) in
 * a few KB, where the tracer and the X-Ray SDK it wraps were about 100 KB of every bundle.
 *
 * Outside Lambda (no `_X_AMZN_TRACE_ID`), and for invocations Lambda did not sample, nothing is sent. The
 * trace header given to AWS calls keeps every field Lambda set (its `Lineage` counts a chain's hops for
 * recursive loop detection), with `Parent` set to the call's own subsegment, so that SQS carries the trace to
 * the next worker.
 */

/** The fields of an `X-Amzn-Trace-Id` header. */
export interface TraceHeader {
  root: string;
  parent: string | undefined;
  sampled: boolean;
  /** Every other `key=value` field, in order (for example `Lineage`). */
  rest: string[];
}

export function parseTraceHeader(value: string | undefined): TraceHeader | undefined {
  if (!value) return undefined;
  let root: string | undefined;
  let parent: string | undefined;
  let sampled = false;
  const rest: string[] = [];
  for (const field of value.split(';')) {
    const at = field.indexOf('=');
    if (at <= 0) continue;
    const key = field.slice(0, at).trim();
    const val = field.slice(at + 1).trim();
    if (key === 'Root') root = val;
    else if (key === 'Parent') parent = val;
    else if (key === 'Sampled') sampled = val === '1';
    else rest.push(`${key}=${val}`);
  }
  return root ? { root, parent, sampled, rest } : undefined;
}

export function formatTraceHeader(header: TraceHeader): string {
  return [
    `Root=${header.root}`,
    ...(header.parent ? [`Parent=${header.parent}`] : []),
    `Sampled=${header.sampled ? '1' : '0'}`,
    ...header.rest,
  ].join(';');
}

/** A subsegment document as the X-Ray daemon takes it when sent on its own. */
export interface SubsegmentDocument {
  type: 'subsegment';
  id: string;
  trace_id: string;
  parent_id: string;
  name: string;
  start_time: number;
  end_time: number;
  namespace?: 'aws' | 'remote';
  annotations?: Record<string, string | number | boolean>;
  http?: {
    request?: { method: string; url: string };
    response?: { status?: number; content_length?: number };
  };
  aws?: { operation: string; region?: string; request_id?: string; retries?: number };
  error?: boolean;
  throttle?: boolean;
  fault?: boolean;
  cause?: { exceptions: { id: string; message: string; type: string; remote?: boolean }[] };
}

export interface TracerOptions {
  serviceName: string;
  /** Sends one datagram; by default over UDP to `AWS_XRAY_DAEMON_ADDRESS`. */
  send?: (datagram: Buffer) => Promise<void>;
  env?: Record<string, string | undefined>;
  /** Epoch milliseconds; the system clock by default (trace times are wall times). */
  now?: () => number;
}

const DAEMON_HEADER = '{"format": "json", "version": 1}\n';
/** The daemon drops datagrams over 64 KB; causes are cut well below that. */
const MAX_MESSAGE = 1000;

interface Open {
  id: string;
  name: string;
  startMs: number;
}

/** What one traced invocation knows: the trace it belongs to and the subsegment calls hang under. */
interface Invocation {
  header: TraceHeader;
  handler: Open;
}

interface SdkContext {
  clientName?: string;
  commandName?: string;
}

interface SdkArgs {
  request?: { headers?: Record<string, string> };
}

interface SdkMetadata {
  httpStatusCode?: number;
  requestId?: string;
  attempts?: number;
}

export interface TraceableClient {
  config: { region?: unknown };
  middlewareStack: {
    add: (middleware: never, options: { step: 'build'; name: string; override: boolean }) => void;
  };
}

export class XRayTracer {
  private readonly env: Record<string, string | undefined>;
  private readonly now: () => number;
  private readonly send: (datagram: Buffer) => Promise<void>;
  private current: Invocation | undefined;
  private annotations: Record<string, string | number | boolean> = {};
  private coldStart = true;
  private readonly pending = new Set<Promise<void>>();
  private socket: Socket | undefined;

  constructor(private readonly options: TracerOptions) {
    this.env = options.env ?? process.env;
    this.now = options.now ?? (() => Date.now());
    this.send = options.send ?? ((datagram) => this.sendUdp(datagram));
  }

  /** A middy middleware: the invocation's subsegment `## <handler>`, with `ColdStart` and `Service`. */
  handlerMiddleware<E, R>(): MiddlewareObj<E, R> {
    return {
      before: () => {
        const coldStart = this.coldStart;
        this.coldStart = false;
        const header = parseTraceHeader(this.env._X_AMZN_TRACE_ID);
        if (!header?.sampled || !header.parent) {
          this.current = undefined;
          return;
        }
        this.current = {
          header,
          handler: { id: newId(), name: `## ${this.env._HANDLER ?? 'handler'}`, startMs: this.now() },
        };
        this.annotations = { ColdStart: coldStart, Service: this.options.serviceName };
      },
      after: async () => {
        await this.endInvocation(undefined);
      },
      onError: async (request) => {
        await this.endInvocation(request.error ?? undefined);
      },
    };
  }

  private async endInvocation(error: unknown): Promise<void> {
    const invocation = this.current;
    this.current = undefined;
    if (invocation) {
      this.emit(invocation.header, invocation.header.parent ?? '', invocation.handler, {
        annotations: this.annotations,
        ...(error === undefined ? {} : { fault: true, cause: causeOf(error) }),
      });
    }
    await this.flush();
  }

  /** Adds a subsegment per call of an AWS SDK v3 client, and gives each call the trace header. */
  traceClient<T extends TraceableClient>(client: T): T {
    const middleware =
      (next: (args: SdkArgs) => Promise<{ output?: { $metadata?: SdkMetadata } }>, context: SdkContext) =>
      async (args: SdkArgs) => {
        const invocation = this.current;
        if (!invocation) return next(args);
        const service = (context.clientName ?? 'AWS').replace(/Client$/, '');
        const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
        const open: Open = { id: newId(), name: service, startMs: this.now() };
        if (args.request?.headers)
          args.request.headers['X-Amzn-Trace-Id'] = formatTraceHeader({
            ...invocation.header,
            parent: open.id,
          });
        const region = await regionOf(client.config.region);
        try {
          const result = await next(args);
          this.emit(invocation.header, invocation.handler.id, open, {
            namespace: 'aws',
            ...awsFields(operation, region, result.output?.$metadata),
          });
          return result;
        } catch (error) {
          this.emit(invocation.header, invocation.handler.id, open, {
            namespace: 'aws',
            ...awsFields(operation, region, (error as { $metadata?: SdkMetadata }).$metadata),
            cause: causeOf(error),
          });
          throw error;
        }
      };
    client.middlewareStack.add(middleware as never, {
      step: 'build',
      name: 'walakeXRayTracing',
      override: true,
    });
    return client;
  }

  /** A `fetch` that records each request as a `remote` subsegment named after its host. */
  traceFetch(inner: typeof fetch): typeof fetch {
    return async (input, init) => {
      const invocation = this.current;
      if (!invocation) return inner(input, init);
      const url = new URL(input instanceof Request ? input.url : String(input));
      const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
      const open: Open = { id: newId(), name: url.host, startMs: this.now() };
      const request = { method, url: `${url.origin}${url.pathname}` };
      try {
        const response = await inner(input, init);
        const length = Number(response.headers.get('content-length'));
        this.emit(invocation.header, invocation.handler.id, open, {
          namespace: 'remote',
          http: {
            request,
            response: {
              status: response.status,
              ...(length >= 0 && response.headers.has('content-length') ? { content_length: length } : {}),
            },
          },
          ...statusFlags(response.status),
        });
        return response;
      } catch (error) {
        this.emit(invocation.header, invocation.handler.id, open, {
          namespace: 'remote',
          http: { request },
          fault: true,
          cause: causeOf(error, true),
        });
        throw error;
      }
    };
  }

  /** Waits for the datagrams sent so far (before Lambda freezes the container). */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  private emit(header: TraceHeader, parentId: string, open: Open, fields: Partial<SubsegmentDocument>): void {
    const document: SubsegmentDocument = {
      type: 'subsegment',
      id: open.id,
      trace_id: header.root,
      parent_id: parentId,
      name: open.name,
      start_time: open.startMs / 1000,
      end_time: this.now() / 1000,
      ...fields,
    };
    const sent = this.send(Buffer.from(DAEMON_HEADER + JSON.stringify(document))).catch(() => {
      // Tracing never fails an invocation: a datagram the daemon did not take is a gap in a trace.
    });
    this.pending.add(sent);
    void sent.finally(() => this.pending.delete(sent));
  }

  private sendUdp(datagram: Buffer): Promise<void> {
    const { host, port } = daemonAddress(this.env.AWS_XRAY_DAEMON_ADDRESS);
    if (!this.socket) {
      this.socket = createSocket('udp4');
      this.socket.unref();
    }
    const socket = this.socket;
    return new Promise((resolve, reject) => {
      socket.send(datagram, port, host, (error) => (error ? reject(error) : resolve()));
    });
  }
}

/** `AWS_XRAY_DAEMON_ADDRESS`: `host:port`, or `udp:host:port tcp:host:port` (the UDP one is used). */
export function daemonAddress(value: string | undefined): { host: string; port: number } {
  const udp =
    value
      ?.split(/\s+/)
      .find((part) => part.startsWith('udp:'))
      ?.slice(4) ?? value?.trim();
  const match = /^(.+):(\d+)$/.exec(udp ?? '');
  return match
    ? { host: match[1] ?? '127.0.0.1', port: Number(match[2]) }
    : { host: '127.0.0.1', port: 2000 };
}

function newId(): string {
  return randomBytes(8).toString('hex');
}

async function regionOf(region: unknown): Promise<string | undefined> {
  try {
    const value = typeof region === 'function' ? await (region as () => Promise<unknown>)() : region;
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

function awsFields(
  operation: string,
  region: string | undefined,
  metadata: SdkMetadata | undefined,
): Partial<SubsegmentDocument> {
  const status = metadata?.httpStatusCode;
  return {
    aws: {
      operation,
      ...(region ? { region } : {}),
      ...(metadata?.requestId ? { request_id: metadata.requestId } : {}),
      ...(metadata?.attempts && metadata.attempts > 1 ? { retries: metadata.attempts - 1 } : {}),
    },
    ...(status ? { http: { response: { status } } } : {}),
    ...(status ? statusFlags(status) : { fault: true }),
  };
}

/** As X-Ray reads HTTP statuses: 429 throttle (an error), other 4xx error, 5xx fault. */
function statusFlags(status: number): Partial<SubsegmentDocument> {
  if (status === 429) return { error: true, throttle: true };
  if (status >= 400 && status < 500) return { error: true };
  if (status >= 500) return { fault: true };
  return {};
}

function causeOf(error: unknown, remote = false): SubsegmentDocument['cause'] {
  const type = error instanceof Error ? error.name : typeof error;
  const message = (error instanceof Error ? error.message : String(error)).slice(0, MAX_MESSAGE);
  return { exceptions: [{ id: newId(), message, type, ...(remote ? { remote } : {}) }] };
}
