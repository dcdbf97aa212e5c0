'use strict';
/**
 * A stand-in Lambda process for `npm run bench`: plain Node, no TypeScript tooling, loading what is
 * deployed. Modes (argv[2]):
 *   handler <bundle.js> <events.json>  require the bundle (timed: the import), then invoke its
 *                                      handler on each event in turn (each timed), then report
 *                                      the process's peak RSS.
 *   limit <table> <events.json>        the limit: base64-decode and JSON.parse every record and
 *                                      insert each batch with one request, no validation, into
 *                                      `bench_limit_<table>` (same columns, no markers view).
 * Prints one JSON line: { importMs, invocations: [{ ms, summary }], maxRssMiB }.
 * ClickHouse and Kafka come from the environment, as in Lambda.
 */
const { readFileSync } = require('node:fs');

const now = () => Number(process.hrtime.bigint()) / 1e6;

async function runHandler(bundlePath, eventsPath) {
  const events = JSON.parse(readFileSync(eventsPath, 'utf8'));
  const started = now();
  const { handler } = require(bundlePath);
  const importMs = now() - started;
  const invocations = [];
  for (const [i, event] of events.entries()) {
    const t0 = now();
    const summary = await handler(event, { awsRequestId: `bench-${process.pid}-${i}`, getRemainingTimeInMillis: () => 60_000 });
    invocations.push({ ms: now() - t0, summary: { inserted: summary.inserted, skippedDuplicates: summary.skippedDuplicates, sentToDlq: summary.sentToDlq } });
  }
  await handler.close();
  return { importMs, invocations };
}

async function runLimit(table, eventsPath) {
  const events = JSON.parse(readFileSync(eventsPath, 'utf8'));
  const { createClient } = require('@clickhouse/client');
  const client = createClient({
    url: process.env.CLICKHOUSE_URL,
    database: process.env.CLICKHOUSE_DB,
    username: process.env.CLICKHOUSE_USER,
    password: process.env.CLICKHOUSE_PASSWORD ?? '',
    compression: { request: true, response: true },
    clickhouse_settings: { date_time_input_format: 'best_effort' },
  });
  const invocations = [];
  for (const event of events) {
    const t0 = now();
    const ingestedAt = new Date().toISOString();
    const rows = [];
    for (const records of Object.values(event.records)) {
      for (const r of records) {
        const value = JSON.parse(Buffer.from(r.value, 'base64').toString('utf8'));
        rows.push({ ...value.data, message_id: value.messageId, event_time: value.timestamp, kafka_topic: r.topic, kafka_partition: r.partition, kafka_offset: r.offset, ingested_at: ingestedAt });
      }
    }
    await client.insert({ table: `bench_limit_${table}`, values: rows, format: 'JSONEachRow', clickhouse_settings: { input_format_skip_unknown_fields: 1 } });
    invocations.push({ ms: now() - t0, summary: { inserted: rows.length } });
  }
  await client.close();
  return { importMs: 0, invocations };
}

const [mode, a, b] = process.argv.slice(2);
(mode === 'limit' ? runLimit(a, b) : runHandler(a, b)).then(
  (result) => {
    process.stdout.write(`${JSON.stringify({ ...result, maxRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`);
    process.exit(0);
  },
  (error) => {
    process.stderr.write(`bench runner failed: ${error && error.stack ? error.stack : error}\n`);
    process.exit(1);
  },
);
