/**
 * What the figures led to: causes found, changes made, what is left. Kept by hand (the numbers in it were
 * measured A/B, interleaved, when it was written); written into BENCHMARKS.md after the generated table.
 */
export const FINDINGS = `
## Findings (written by hand in test/bench/findings.ts)

The numbers below come from A/B runs in one process or interleaved child processes, the code before each change
against the code after it. The machine was shared (load average 4 to 6 on 2 cores), so compare each pair with
itself, not with the table above.

### Changed in functions/core

1. **Publishing held a whole window in memory** (\`publish.ts\`, \`lake-lines.ts\`). \`rowIdentity\` slices its
   line, and a V8 slice (or a concatenation of slices) keeps its whole parent string alive: the \`seen\` set
   pinned the decoded text of every staged page until the window was published. \`Readable.from\` also read up
   to 16 page-sized chunks ahead of the compressor. A 203 000-row window peaked at 954 to 1070 MB of RSS.
   Publishing now passes each page's gunzipped bytes on untouched (runs of kept lines, as subarrays), takes the
   identities from the bytes (\`lineRanges\`: small strings of their own) and reads one page ahead at most:
   158 to 162 MB, and 3.0 to 3.2 s instead of 4.2 to 5.5 s. The lake object is byte for byte what it was. This
   was checked on 300 random windows (duplicates, non-ASCII text, a missing final newline) against the previous
   code.
2. **Encoding a staged page cost more than the JSON itself** (\`encodeLines\`). The lines were joined into one
   long string and gzipped at level 6. Flattening and UTF-8-encoding that string took as long as
   \`JSON.stringify\`, and level 6 takes twice as long as level 1. Each line is now written into a growing
   Buffer, and staged pages use level 1: they live only until their window is published, and the lake object
   keeps level 6. CPU path per 7000-row page: call legs 218 → 156 ms, call records 205 → 124 ms. Against a bare
   parse + stringify: 2.77 → 2.08 and 3.11 → 2.12.
3. **Drift detection looked up every key of every row** (\`normalizeRow\`). It now counts the row's keys and
   looks them up only when the count shows an undocumented field: normalization 13 % faster (legs
   21 → 18 ms per page).

End to end (\`runLocal\`, interleaved): one window of 7000-row pages 3.31 → 2.48 s; the 7-day backfill at
concurrency 8 5.67 → 4.65 s; one window of 100-row pages 629 → 612 ms.

### Changed outside functions/core

1. **Bundles: zod.** The handlers wrote \`import { z } from 'zod'\`, which makes esbuild keep all of zod: the
   40 locales (264 KB) and the JSON Schema converters. A one-schema file bundles to 454 KB that way, to 85 KB
   with \`import * as z from 'zod'\`, and to 12 KB with \`zod/mini\`. The schemas the Lambdas bundle now use
   \`zod/mini\` with English messages (functions/core/zod.ts): worker 1156 → 737 KB, planner 1146 → 728 KB.
2. **Bundles: the credential providers a Lambda never loads.** The SDK's default credential chain loads
   \`@aws-sdk/credential-provider-{sso,ini,process,web-identity,http}\`, \`@smithy/credential-provider-imds\`,
   \`@aws-sdk/nested-clients\` and \`@aws-sdk/token-providers\` only through dynamic \`import()\`, when the
   environment has no credentials. A Lambda always has them in its environment, so the stack leaves these
   modules out of the bundle (\`LAZY_CREDENTIAL_PROVIDERS\` in infra/constructs/pipeline-function.ts; a test
   checks that nothing imports them statically): worker 737 → 628 KB.
3. **\`wa-client.ts\` built an \`Intl.DateTimeFormat\` on every request** to validate the time zone (0.08 ms,
   about 1 % of the CPU in the backfill profile). Known zones are now remembered.

### Every request carries data (issue 19)

1. **The last data page ends the chain** (\`functions/core/early-end.ts\`). A chain used to end only on the
   API's "No Data" answer, so an hourly window that fits one page cost 2 requests, and in a backfill half of all
   requests returned nothing. Where \`walake probe\` measured full pages until the last (recorded in the lake's
   manifest), a page shorter than \`pageSize\` whose rows bring the chain to the first page's
   \`totalRecordCount\` ends it. The benchmark records the probe's finding in each lake first, as
   \`walake probe --out DIR\` does. Requests per window fall from about 2 to about 1.
2. **Concurrency adapts** (\`functions/core/adaptive-limit.ts\`). \`walake run\` starts at half its cap,
   rises by one after a round of fast, error-free answers, and halves on a 429 or 5xx. A first version halved
   at most once a second: against a simulator limited to 15 requests/s, a 30-day backfill took 2.74 × its
   floor, because the requests throttled together came back together after their \`Retry-After: 1\` and halved
   the limit again, down to 1. Halving only for a request sent after the last halving (once per round trip,
   as TCP does) took the same run to 1.71 × (both on a machine at load 13 on 2 cores).
3. **429s wait, they do not fail** (\`functions/adapters/wa-retry.ts\`). A 429 does not count against a
   request's attempts until it has waited 10 minutes for throttling in all (or reached its deadline).
4. **Requests are paced at a rate learnt from the 429s** (\`functions/core/request-pace.ts\`,
   \`functions/adapters/paced-fetch.ts\`). Halving the number of chains could not close the gap to the
   limited backfill's floor: at 8 requests/s one chain (about 5 requests/s at 150 ms) is not enough and two are
   too many, so the limit sawed between 1 and 2 and each 429 parked its chain for the second \`Retry-After\`
   asks: 1.48 × the floor, 175 answers 429. The requests of all chains now share one pace: none until the
   first 429, then the rate the API answered in the second before it, less 5 %, spaced evenly; 5 % faster after
   each 2 s without a 429, and cut again by the next (once per overload, never more than halved). The same
   run: 1.10 × the floor, 17 answers 429, no failed window. The 8x8 docs give no rate limit, so the rate is
   learnt, not configured.
5. **Bundles: a tracer of our own** (\`functions/adapters/xray-tracer.ts\`). The worker was AWS SDK and
   Smithy about 380 KB, the X-Ray SDK and its dependencies about 85 KB, Powertools 44 KB, zod 39 KB, our code
   49 KB, and the Powertools tracer 13 KB: 629 KB. The tracer (captureLambdaHandler, captureAWSv3Client and its
   fetch tracing) is replaced by one written to the X-Ray daemon's documented protocol: a subsegment per
   invocation under Lambda's function segment, one per AWS call and per 8x8 request, sent as UDP datagrams, and
   the trace header (with Lambda's \`Lineage\`) given to each AWS call with its subsegment as \`Parent\`.
   The semver alias the X-Ray SDK needed went with it. Worker 629 → 534 KB, planner 613 → 519 KB; the
   bundles test checks the traces the shipped bundles send to a stand-in daemon.

### What remains unmet, and why

- **The 2-day backfill on a loaded machine.** With one request
  per window, 48 windows at 8 chains need 6 rounds of 150 ms: under a second. walake's client spends about
  35 ms of CPU per window on its one event loop (parse, normalize, gzip, stage, the ledger's compare-and-set
  writes, publish), so 48 windows need about 1.7 s of one core at best. The table's run met 5 × (2.8 s); earlier
  runs with the machine at a load of 11 to 14 on 2 cores (other work) took 4 to 6 s, 2.9 to 3.4 ×. Spreading
  \`runLocal\`'s chains over worker threads is what would make the figure independent of that.
- **Chain efficiency ≤ 1.10.** The budget is a tenth of the latency per request (15 ms at 150 ms). The
  simulator alone uses much of it: its "rendering and sending" share in the figure's line is about 3 to 5 ms
  per 100-row page and 100 to 170 ms per 7000-row page. Each page of the chain also does its own fixed work:
  read the page marker, stage the page, write the marker, queue the next task. Once per window it writes the
  ledger twice and publishes. Those are store round trips (a local folder here, S3 on AWS). A chain is
  sequential by design (one page in flight per window, since the next cursor comes with the page), so none of
  this overlaps the latency. On this design, 1.10 needs an API latency of about 10 × (simulator time + walake's
  own time per request) or more.
- **One window against the sequential loop.** The loop parses and appends. walake also normalizes,
  compresses, stages, keeps a ledger and publishes the window whole, on the same sequential chain, so it can
  match the baseline only when the latency hides all of that. The ratio falls as the latency grows. The
  remaining gap is the price of idempotent, resumable chains and whole-window publication.
- **Parallel backfill ≥ 6× on this machine.** Neither core is saturated: the figure's line gives the event
  loop's utilization (about 50 %) and the CPU that the client and the simulator used. Together that is under
  half of 2 cores. The tasks wait instead. In a 7-day run with processTask's store calls timed,
  concurrency 1 against 8 gave:
  - a whole task 65 → 118 ms;
  - the fetch 56 → 70 ms;
  - store writes 4 → 27 ms per task (each of the 3 writes: mkdir 0.6 → 6 ms, write 1.7 → 6 ms).

  The file system is not the cause: the same run on tmpfs was no faster. A larger libuv thread pool did not
  help, and neither did skipping repeated mkdirs (all measured). The cause is the one event loop. Every file
  operation and response needs a turn of it, and with 8 chains it is busy in bursts of parsing, normalizing
  and gzip (event-loop delay p99 18 ms against 4 ms at concurrency 1). A task needs about 20 such turns. What
  helps:
  - less work per turn: the changes above cut the 8-chain run from 5.67 s to 4.65 s;
  - fewer store round trips per task: the page marker, added for redeliveries, brought 1 read and 1 write
    per page;
  - \`runLocal\` (functions/cli/local-run.ts) spreading its chains over worker threads.

  On AWS each chain runs in its own Lambda, so this limit is specific to \`walake run\`.
`;
