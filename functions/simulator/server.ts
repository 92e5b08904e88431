import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type Answer,
  badParam,
  gatewayError,
  json,
  methodNotAllowed,
  notFound,
  tooManyRequests,
} from './errors.js';
import { chooseFault, RateWindow, WRONG_SHAPE } from './faults.js';
import type { Table } from './params.js';
import { answerPbxes } from './pbx-endpoint.js';
import type { Rng } from './prng.js';
import { answerReport, NO_DATA, type SimContext, scrollProblem } from './report-endpoint.js';
import { answerSummary, SUMMARY_PATHS } from './summaries/endpoint.js';
import { answerLogin } from './token-endpoint.js';
import type { FaultControl, SimulatorStats } from './types.js';

const REPORTS: Record<string, Table | 'pbxes' | 'summary'> = {
  ...Object.fromEntries(Object.keys(SUMMARY_PATHS).map((path) => [path, 'summary' as const])),
  '/v2/call-legs': 'call-legs',
  '/v2/call-records': 'call-records',
  // The spec writes the path with its trailing slash; Spring serves both.
  '/v2/pbxes/': 'pbxes',
  '/v2/pbxes': 'pbxes',
};
const TOKEN_PATH = '/v1/oauth/token';

/** Routes requests under the base path, applies faults to report and PBX-list requests, and keeps the counters. */
export class SimulatorServer {
  private reportCount = 0;
  private readonly rate = new RateWindow();

  constructor(
    private readonly ctx: SimContext,
    private readonly basePath: string,
    private readonly ttlSeconds: number,
    readonly faults: FaultControl,
    readonly stats: SimulatorStats,
    private readonly faultRng: Rng,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const sub = url.pathname.startsWith(this.basePath) ? url.pathname.slice(this.basePath.length) : undefined;
    const table = sub === undefined ? undefined : REPORTS[sub];
    if (sub === TOKEN_PATH) {
      const body = await readBody(req);
      if (req.method !== 'POST') return this.send(res, methodNotAllowed('POST'));
      const { answer, token } = answerLogin(this.ctx, this.ttlSeconds, req.headers, body);
      if (token) {
        this.stats.logins++;
        this.stats.issuedTokens.push(token);
      } else this.stats.loginFailures++;
      return this.send(res, answer);
    }
    if (sub === undefined || table === undefined)
      return this.send(res, notFound(url.pathname, this.ctx.now()));
    if (req.method !== 'GET') return this.send(res, methodNotAllowed('GET'));
    await this.report(req, res, sub, table, url);
  }

  private async report(
    req: IncomingMessage,
    res: ServerResponse,
    sub: string,
    table: Table | 'pbxes' | 'summary',
    url: URL,
  ) {
    const n = ++this.reportCount;
    this.stats.reportRequests[sub] = (this.stats.reportRequests[sub] ?? 0) + 1;
    if (this.faults.latencyMs > 0) await sleep(this.faults.latencyMs);
    if (this.rate.over(this.faults.rateLimitPerSecond, this.faults.rateClock()))
      return this.send(res, tooManyRequests('1'));
    const fault = chooseFault(this.faults, this.faultRng, {
      path: sub,
      query: Object.fromEntries(url.searchParams),
      n,
    });
    switch (fault?.kind) {
      case '429':
        return this.send(res, tooManyRequests(fault.retryAfter ?? '1'));
      case '5xx':
        return this.send(res, gatewayError(fault.status ?? 503));
      case 'reset':
        req.socket.destroy();
        return;
      case 'reject-scroll':
        return this.send(res, badParam(scrollProblem('The scrollId has expired or is no longer valid')));
      case 'json-shape':
        return this.send(res, json(200, WRONG_SHAPE));
      case 'delay':
        await sleep(fault.ms);
        break;
    }
    const answer =
      table === 'pbxes'
        ? answerPbxes(this.ctx, req.headers, url.searchParams, url.pathname)
        : table === 'summary'
          ? answerSummary(this.ctx, sub, req.headers, url.searchParams)
          : answerReport(this.ctx, table, req.headers, url.searchParams);
    if (fault?.kind === 'truncated') {
      // A complete HTTP message whose JSON stops half way: the client must not trust a 200 blindly.
      return this.send(res, {
        ...answer,
        status: 200,
        body: answer.body.slice(0, answer.body.length >> 1),
        rows: 0,
      });
    }
    if (answer.status === 200 && answer.rows === 0 && answer.body === JSON.stringify(NO_DATA)) {
      this.stats.noDataServed++;
    } else if (answer.status === 200 && table !== 'pbxes' && (answer.rows ?? 0) > 0) {
      this.stats.pagesServed++;
      this.stats.rowsServed += answer.rows ?? 0;
    }
    this.send(res, answer);
  }

  private send(res: ServerResponse, answer: Answer): void {
    this.stats.responses[answer.status] = (this.stats.responses[answer.status] ?? 0) + 1;
    const body = Buffer.from(answer.body, 'utf8');
    res.writeHead(answer.status, { ...answer.headers, 'content-length': String(body.length) });
    res.end(body);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
