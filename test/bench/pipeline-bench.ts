/**
 * `npm run bench`: throughput, ClickHouse round trips and memory of the batch pipeline on the
 * local stack. Prints a table and, as its last line, one JSON object of results.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { migrateDatabase } from '../../infra/clickhouse/migrator';
import { runCli } from '../../infra/cli/run-cli';
import { startLocalStack } from '../../infra/local/local-stack';
import { ClickHouseAuditTrail } from '../../lib/clickhouse/audit-trail';
import { ClickHouseConnection } from '../../lib/clickhouse/connection';
import { IdempotentWriter } from '../../lib/clickhouse/writer';
import { loadConfig } from '../../lib/config';
import { DeadLetterPublisher } from '../../lib/kafka/dead-letter-publisher';
import { decodeKafkaEvent, type LambdaKafkaEvent } from '../../lib/kafka/event';
import { parseRecord } from '../../lib/parse-record';
import { processBatch } from '../../lib/pipeline';
import { generateSampleData } from '../../lib/producer/sample-data';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 20_000);
const BATCH_SIZE = Number(process.env.BENCH_BATCH_SIZE ?? 1_000);
const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

function toEvents(values: Array<string | null>, batchSize: number): LambdaKafkaEvent[] {
  const events: LambdaKafkaEvent[] = [];
  for (let i = 0; i < values.length; i += batchSize) {
    const records = values.slice(i, i + batchSize).map((value, j) => ({
      topic: 'orders-topic', partition: 0, offset: i + j, timestamp: Date.now(), timestampType: 'CREATE_TIME',
      key: null, value: value === null ? null : Buffer.from(value).toString('base64'), headers: [],
    }));
    events.push({ eventSource: 'aws:kafka', eventSourceArn: 'arn:aws:kafka:local:0:cluster/bench/x', records: { 'orders-topic-0': records } });
  }
  return events;
}

/** Counts HTTP round trips the pipeline makes to ClickHouse. */
function counting(client: ClickHouseClient): { client: ClickHouseClient; calls: () => number } {
  let calls = 0;
  const wrapped = new Proxy(client, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value === 'function' && ['query', 'insert', 'command', 'exec'].includes(String(prop))) {
        return (...args: unknown[]) => {
          calls++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return value;
    },
  });
  return { client: wrapped, calls: () => calls };
}

async function main(): Promise<void> {
  const values = generateSampleData({ users: 0, products: 0, orders: RECORDS, invalidRate: 0.01, seed: 1 }).map((r) => r.value);
  const events = toEvents(values, BATCH_SIZE);

  // 1. Decode + parse + validate + transform, in memory.
  let started = performance.now();
  for (const event of events) for (const record of decodeKafkaEvent(event).records) parseRecord(record, { table: 'orders', maxRecordBytes: 1_048_576, ingestedAt: '2024-01-01 00:00:00.000' });
  const parseSeconds = (performance.now() - started) / 1000;

  // 2. The whole pipeline against the local stack, then the same batches redelivered.
  const dataDir = mkdtempSync(join(tmpdir(), 'kcl-bench-'));
  const stack = await startLocalStack({ dataDir });
  const config = loadConfig({ KAFKA_BROKERS: stack.kafkaBrokers, KAFKA_IDEMPOTENT: 'false', CLICKHOUSE_URL: stack.clickhouseUrl, CLICKHOUSE_DB: 'bench' });
  try {
    await migrateDatabase(config.clickhouse);
    let counter: ReturnType<typeof counting> | undefined;
    const connection = new ClickHouseConnection(config.clickhouse, (c, credentials) => {
      const { createClickHouseClientFor } = require('../../lib/clickhouse/client') as typeof import('../../lib/clickhouse/client');
      counter = counting(createClickHouseClientFor(c, credentials));
      return counter.client;
    });
    const calls = () => counter?.calls() ?? 0;
    const publisher = new DeadLetterPublisher({ kafka: config.kafka, topic: config.dlqTopic, maxMessageBytes: config.dlqMaxMessageBytes });
    const audit = new ClickHouseAuditTrail(connection, silent);
    const ports = { writer: new IdempotentWriter(connection, { requestTimeoutMs: 30_000 }), deadLetters: publisher, audit };
    const run = async () => {
      const t0 = performance.now();
      const before = calls();
      let inserted = 0;
      let skipped = 0;
      let dlq = 0;
      for (const event of events) {
        const s = await processBatch(event, { table: 'orders', requestId: 'bench', maxRecordBytes: 1_048_576, ports, logger: silent });
        inserted += s.inserted;
        skipped += s.skippedDuplicates;
        dlq += s.sentToDlq;
      }
      return { seconds: (performance.now() - t0) / 1000, roundTripsPerBatch: (calls() - before) / events.length, inserted, skipped, dlq };
    };
    const first = await run();
    await audit.flush();
    const redelivery = await run();
    await audit.flush();
    await publisher.close();
    await connection.close();

    const memory = process.memoryUsage();
    const results = {
      records: RECORDS,
      batchSize: BATCH_SIZE,
      parseRecordsPerSecond: Math.round(RECORDS / parseSeconds),
      pipelineRecordsPerSecond: Math.round(RECORDS / first.seconds),
      redeliveryRecordsPerSecond: Math.round(RECORDS / redelivery.seconds),
      clickhouseRoundTripsPerBatch: first.roundTripsPerBatch,
      redeliveryRoundTripsPerBatch: redelivery.roundTripsPerBatch,
      inserted: first.inserted,
      sentToDlq: first.dlq,
      redeliverySkipped: redelivery.skipped,
      rssMiB: Math.round(memory.rss / 2 ** 20),
      heapUsedMiB: Math.round(memory.heapUsed / 2 ** 20),
    };
    console.table({
      'parse + validate (in memory)': { 'records/s': results.parseRecordsPerSecond, 'ClickHouse round trips/batch': 0 },
      'pipeline, first delivery': { 'records/s': results.pipelineRecordsPerSecond, 'ClickHouse round trips/batch': results.clickhouseRoundTripsPerBatch },
      'pipeline, redelivery': { 'records/s': results.redeliveryRecordsPerSecond, 'ClickHouse round trips/batch': results.redeliveryRoundTripsPerBatch },
    });
    console.log(`${results.inserted} inserted, ${results.sentToDlq} dead-lettered, ${results.redeliverySkipped} skipped on redelivery; RSS ${results.rssMiB} MiB, heap ${results.heapUsedMiB} MiB`);
    console.log(JSON.stringify(results));
  } finally {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

runCli(main, {
  command: 'npm run bench',
  usage: 'usage: [BENCH_RECORDS=20000] [BENCH_BATCH_SIZE=1000] npm run bench\n\nPipeline throughput, ClickHouse round trips per batch and memory on a local stack of its own.',
});
