/**
 * `npm run bench`: what matters, side by side, in one run on the local stack and generated data.
 *
 * - the limit (base64 + JSON.parse + one insert per batch, no validation) and the handler as
 *   deployed (the esbuild bundle from `sls package`), at batch 1,000 and 10,000; redelivery;
 *   1 % poison; a seed-style per-message consumer (lookup, insert, marker per message);
 * - CPU per record of decode + validate + transform, per table;
 * - ClickHouse requests per batch; cold start (import, first 100-record event) and peak RSS on a
 *   6 MB 10,000-record event of the bundled handler; zipped size per function.
 *
 * Every handler and limit run is a plain Node child process (as Lambda runs it), so tooling is not
 * in the figures. Prints a table and, as its last line, one JSON object with every figure, the
 * ratios and whether each target is met.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { migrateDatabase } from '../../infra/clickhouse/migrator';
import { parseCliArgs, runCli } from '../../infra/cli/run-cli';
import { PROJECT_ROOT, stackEnvironment, startLocalStack, type LocalStack } from '../../infra/local/local-stack';
import { loadConfig } from '../../lib/config';
import { decodeKafkaEvent, type LambdaKafkaEvent } from '../../lib/kafka/event';
import { parseRecord } from '../../lib/parse-record';
import { TABLE_NAMES, type TableName } from '../../lib/schemas';
import { benchEvents } from './bench-events';

const TARGETS = { handlerToLimit: 0.7, cpuMicrosPerRecord: 10, importMs: 60, firstEventMs: 150, zipKiB: 400, peakRssMiB: 200 } as const;
const RUNNER = join(__dirname, 'bundle-runner.js');
const WARM_UP = 100;

interface RunnerResult {
  readonly importMs: number;
  readonly invocations: ReadonlyArray<{ readonly ms: number; readonly summary: { inserted: number; skippedDuplicates?: number; sentToDlq?: number } }>;
  readonly maxRssMiB: number;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const round = (value: number, digits = 0): number => Number(value.toFixed(digits));

/** `sls package` into `dir`, then each table function's zip unpacked; returns bundle paths and zip sizes. */
function packageBundles(dir: string): { bundles: Record<string, string>; zipKiB: Record<string, number> } {
  const packageDir = join(dir, 'package');
  // The bundles do not depend on the stage's connection parameters, but a deployable stage needs them.
  const params = ['kafkaBrokers=b-1.bench.example:9098', 'clickhouseSecretArn=arn:aws:secretsmanager:eu-west-1:123456789012:secret:bench-AbCdEf'];
  execFileSync('npx', ['sls', 'package', '--stage', 'bench', '--package', packageDir, ...params.map((p) => `--param=${p}`)], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
    stdio: 'ignore',
  });
  const bundles: Record<string, string> = {};
  const zipKiB: Record<string, number> = {};
  for (const fn of [...TABLE_NAMES, 'producer']) {
    const zip = join(packageDir, `${fn}.zip`);
    zipKiB[fn] = round(statSync(zip).size / 1024);
    const unpacked = join(dir, `unzipped-${fn}`);
    mkdirSync(unpacked, { recursive: true });
    execFileSync('unzip', ['-q', '-o', zip, '-d', unpacked]);
    bundles[fn] = join(unpacked, 'functions', `${fn}.js`);
  }
  return { bundles, zipKiB };
}

/** Runs the bundle runner in a fresh Node process on `events`; resolves its report. */
function runChild(args: string[], events: readonly LambdaKafkaEvent[], env: Record<string, string>, dir: string): Promise<RunnerResult> {
  const file = join(dir, `events-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(events));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RUNNER, ...args, file], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH ?? '', ...env, LOG_LEVEL: 'silent', POWERTOOLS_METRICS_DISABLED: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('exit', (code) => {
      rmSync(file, { force: true });
      if (code === 0) resolve(JSON.parse(out.trim().split('\n').pop()!) as RunnerResult);
      else reject(new Error(`bench child ${args[0]} failed (${code}): ${err.trim().split('\n')[0]}`));
    });
  });
}

/** Records per second over the timed invocations (all but the warm-up). */
const throughput = (result: RunnerResult, records: number): number => round(records / (result.invocations.slice(1).reduce((s, i) => s + i.ms, 0) / 1000));

/** Decode + validate + transform in process, per table: µs per record. */
function cpuPerRecord(table: TableName): number {
  const events = benchEvents({ table, batchSize: 5_000, batches: 4, seed: 7 });
  const run = () => {
    for (const event of events) for (const record of decodeKafkaEvent(event).records) parseRecord(record, { table, maxRecordBytes: 1_048_576, ingestedAt: '2024-06-01 00:00:00.000' });
  };
  for (let i = 0; i < 3; i++) run();
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    run();
    samples.push(((performance.now() - t0) * 1000) / 20_000);
  }
  return round(median(samples), 2);
}

/** The seed project's consumer: per message one lookup, one insert, one marker insert. */
async function seedStyle(client: ClickHouseClient, messages: number): Promise<number> {
  const [event] = benchEvents({ table: 'users', batchSize: messages, batches: 1, seed: 99, firstOffset: 9_000_000 });
  const records = decodeKafkaEvent(event).records;
  const t0 = performance.now();
  for (const record of records) {
    const parsed = parseRecord(record, { table: 'users', maxRecordBytes: 1_048_576, ingestedAt: '2024-06-01 00:00:00.000' });
    if (!parsed.ok) continue;
    const { key, row } = parsed.pending;
    const found = await (
      await client.query({ query: "SELECT count() AS n FROM bench_seed_markers WHERE message_id = {m:String} AND record_id = {r:String}", query_params: { m: key.messageId, r: key.recordId }, format: 'JSONEachRow' })
    ).json<{ n: string }>();
    if (Number(found[0]?.n) > 0) continue;
    await client.insert({ table: 'bench_limit_users', values: [row], format: 'JSONEachRow' });
    await client.insert({ table: 'bench_seed_markers', values: [{ message_id: key.messageId, record_id: key.recordId }], format: 'JSONEachRow' });
  }
  return round(records.length / ((performance.now() - t0) / 1000));
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kcl-bench-'));
  let stack: LocalStack | undefined;
  try {
    process.stderr.write('bench: packaging the functions (sls package)…\n');
    const { bundles, zipKiB } = packageBundles(dir);
    // In-process CPU and cold starts first, on a quiet machine: the throughput phases leave the
    // local ClickHouse merging parts in the background, which a Lambda's own microVM never shares.
    process.stderr.write('bench: CPU per record…\n');
    const cpu = Object.fromEntries(TABLE_NAMES.map((t) => [t, cpuPerRecord(t)])) as Record<TableName, number>;
    process.stderr.write('bench: starting the local stack…\n');
    stack = await startLocalStack({ dataDir: join(dir, 'clickhouse'), database: 'bench' });
    const env = { ...stackEnvironment(stack, { database: 'bench', user: 'default', password: '' }), CLICKHOUSE_REQUEST_TIMEOUT_MS: '60000' };
    const config = loadConfig(env);
    await migrateDatabase(config.clickhouse);
    const client = createClient({ url: stack.clickhouseUrl, database: 'bench', log: { level: ClickHouseLogLevel.OFF } });
    for (const table of TABLE_NAMES) await client.command({ query: `CREATE TABLE bench_limit_${table} AS ${table}` });
    await client.command({ query: 'CREATE TABLE bench_seed_markers (message_id String, record_id String) ENGINE = MergeTree ORDER BY (message_id, record_id)' });

    const warmUp = (seed: number) => benchEvents({ table: 'users', batchSize: WARM_UP, batches: 1, seed, firstOffset: 8_000_000 + seed * 1_000 });
    const phase = async (label: string, mode: 'handler' | 'limit', events: LambdaKafkaEvent[], seedForWarmUp: number) => {
      process.stderr.write(`bench: ${label}…\n`);
      await stack!.clickHouseRequestStats(true);
      const result = await runChild(mode === 'handler' ? ['handler', bundles.users!] : ['limit', 'users'], [...warmUp(seedForWarmUp), ...events], env, dir);
      const stats = await stack!.clickHouseRequestStats();
      const records = events.reduce((n, e) => n + Object.values(e.records).reduce((m, r) => m + r.length, 0), 0);
      return { result, records, recordsPerSecond: throughput(result, records), requestsPerBatch: round(stats.requests / (events.length + 1), 2), maxRequestLineBytes: stats.maxRequestLineBytes };
    };

    process.stderr.write('bench: cold starts…\n');
    const cold = [];
    for (let i = 0; i < 5; i++) {
      const result = await runChild(['handler', bundles.users!], benchEvents({ table: 'users', batchSize: 100, batches: 1, seed: 30 + i, firstOffset: 500_000 + i * 100 }), env, dir);
      cold.push({ importMs: result.importMs, firstEventMs: result.invocations[0]!.ms });
    }

    const fresh1k = benchEvents({ table: 'users', batchSize: 1_000, batches: 10, seed: 11 });
    const fresh10k = benchEvents({ table: 'users', batchSize: 10_000, batches: 2, seed: 12, firstOffset: 100_000 });
    const limit1k = await phase('limit, batch 1,000', 'limit', benchEvents({ table: 'users', batchSize: 1_000, batches: 10, seed: 21 }), 1);
    const handler1k = await phase('handler, batch 1,000', 'handler', fresh1k, 2);
    const redelivery1k = await phase('handler, batch 1,000, redelivered', 'handler', fresh1k, 3);
    const poison1k = await phase('handler, batch 1,000, 1 % poison', 'handler', benchEvents({ table: 'users', batchSize: 1_000, batches: 10, seed: 13, poisonRate: 0.01, firstOffset: 300_000 }), 4);
    const limit10k = await phase('limit, batch 10,000', 'limit', benchEvents({ table: 'users', batchSize: 10_000, batches: 2, seed: 22, firstOffset: 400_000 }), 5);
    const handler10k = await phase('handler, batch 10,000', 'handler', fresh10k, 6);
    const redelivery10k = await phase('handler, batch 10,000, redelivered', 'handler', fresh10k, 7);
    process.stderr.write('bench: seed-style consumer…\n');
    const seedStyleRecordsPerSecond = await seedStyle(client, 300);

    process.stderr.write('bench: peak memory on a 6 MB event…\n');
    const bigEvent = benchEvents({ table: 'users', batchSize: 10_000, batches: 1, seed: 40, padBytes: 30, firstOffset: 600_000 });
    const eventMiB = round(Buffer.byteLength(JSON.stringify(bigEvent[0])) / 2 ** 20, 2);
    const memory = await runChild(['handler', bundles.users!], bigEvent, env, dir);
    await client.close();

    const results = {
      limitRecordsPerSecond: { batch1000: limit1k.recordsPerSecond, batch10000: limit10k.recordsPerSecond },
      handlerRecordsPerSecond: { batch1000: handler1k.recordsPerSecond, batch10000: handler10k.recordsPerSecond },
      handlerToLimit: { batch1000: round(handler1k.recordsPerSecond / limit1k.recordsPerSecond, 2), batch10000: round(handler10k.recordsPerSecond / limit10k.recordsPerSecond, 2) },
      redeliveryRecordsPerSecond: { batch1000: redelivery1k.recordsPerSecond, batch10000: redelivery10k.recordsPerSecond },
      poisonOnePercentRecordsPerSecond: poison1k.recordsPerSecond,
      seedStyleRecordsPerSecond,
      cpuMicrosPerRecord: cpu,
      clickhouseRequestsPerBatch: { fresh: handler1k.requestsPerBatch, redelivered: redelivery1k.requestsPerBatch, onePercentPoison: poison1k.requestsPerBatch },
      maxRequestLineBytes: Math.max(handler1k.maxRequestLineBytes, handler10k.maxRequestLineBytes),
      coldStart: { importMs: round(median(cold.map((c) => c.importMs)), 1), firstEventMs: round(median(cold.map((c) => c.firstEventMs)), 1) },
      peakRssMiB: { eventMiB, records: 10_000, rss: round(memory.maxRssMiB) },
      zipKiB,
    };
    const met = {
      handlerToLimit: results.handlerToLimit.batch1000 >= TARGETS.handlerToLimit && results.handlerToLimit.batch10000 >= TARGETS.handlerToLimit,
      cpuMicrosPerRecord: Object.values(cpu).every((us) => us <= TARGETS.cpuMicrosPerRecord),
      importMs: results.coldStart.importMs <= TARGETS.importMs,
      firstEventMs: results.coldStart.firstEventMs <= TARGETS.firstEventMs,
      zipKiB: TABLE_NAMES.every((t) => zipKiB[t]! <= TARGETS.zipKiB),
      peakRssMiB: results.peakRssMiB.rss <= TARGETS.peakRssMiB,
    };

    console.log('\nusers records (~300 B values); throughput in records/s over the timed batches (a 100-record warm-up excluded)\n');
    console.table({
      'limit (base64 + JSON.parse + 1 insert)': { 'batch 1,000': results.limitRecordsPerSecond.batch1000, 'batch 10,000': results.limitRecordsPerSecond.batch10000 },
      'handler as deployed, first delivery': { 'batch 1,000': results.handlerRecordsPerSecond.batch1000, 'batch 10,000': results.handlerRecordsPerSecond.batch10000 },
      'handler ÷ limit': { 'batch 1,000': results.handlerToLimit.batch1000, 'batch 10,000': results.handlerToLimit.batch10000 },
      'redelivery (all skipped)': { 'batch 1,000': results.redeliveryRecordsPerSecond.batch1000, 'batch 10,000': results.redeliveryRecordsPerSecond.batch10000 },
      '1 % poison (DLQ topic + table)': { 'batch 1,000': results.poisonOnePercentRecordsPerSecond, 'batch 10,000': '' },
      'seed-style: 3 requests per message': { 'batch 1,000': results.seedStyleRecordsPerSecond, 'batch 10,000': '' },
    });
    console.table({
      'decode + validate + transform (µs/record)': { ...cpu, target: `≤ ${TARGETS.cpuMicrosPerRecord}` },
    });
    console.table({
      'ClickHouse requests per batch (average, audit inserts included)': { value: `${results.clickhouseRequestsPerBatch.fresh} fresh, ${results.clickhouseRequestsPerBatch.redelivered} redelivered, ${results.clickhouseRequestsPerBatch.onePercentPoison} with poison`, target: '≤ 3 (2 before return)' },
      'longest request line (bytes)': { value: results.maxRequestLineBytes, target: '≤ 16,384' },
      'cold start: import (ms, median of 5)': { value: results.coldStart.importMs, target: `≤ ${TARGETS.importMs}` },
      'cold start: first 100-record event (ms)': { value: results.coldStart.firstEventMs, target: `≤ ${TARGETS.firstEventMs}` },
      [`peak RSS, ${eventMiB} MiB 10,000-record event (MiB)`]: { value: results.peakRssMiB.rss, target: `≤ ${TARGETS.peakRssMiB}` },
      'zip per function (KiB)': { value: Object.entries(zipKiB).map(([f, k]) => `${f} ${k}`).join(', '), target: `≤ ${TARGETS.zipKiB} (table functions)` },
    });
    console.log(JSON.stringify({ ...results, targets: TARGETS, met }));
  } finally {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const USAGE = `usage: npm run bench

Packages the functions, starts a local stack of its own, and measures, side by side: the limit and
the handler as deployed at batch 1,000 and 10,000, redelivery, 1 % poison, a seed-style consumer,
CPU per record per table, ClickHouse requests per batch, cold start, peak memory and zip sizes.
Prints a table and, as its last line, one JSON object with every figure and the targets met.`;

runCli(async (argv) => {
  parseCliArgs({ args: argv, options: {} });
  await main();
}, { command: 'npm run bench', usage: USAGE });
