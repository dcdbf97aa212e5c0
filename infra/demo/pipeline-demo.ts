import type { ClickHouseClient } from '@clickhouse/client';
import type { Kafka } from 'kafkajs';
import type { Config } from '../../lib/config';
import { createProducer, kafkaClientOptions } from '../../lib/kafka/client';
import { fetchEndOffsets } from '../../lib/kafka/topic-offsets';
import type { PipelineLogger } from '../../lib/ports';
import { generateSampleData, type SampleDataOptions } from '../../lib/producer/sample-data';
import { sendSampleData, type TopicSummary } from '../../lib/producer/send-sample-data';
import { TABLE_NAMES, TOPIC_OF_TABLE, type TableName } from '../../lib/schemas';
import { KafkaEventSourceEmulator } from '../serverless-offline-kafka/emulator';
import type { InvocationReport } from '../serverless-offline-kafka/event-source-poller';
import { mappingsFromService, type ServerlessServiceLike } from '../serverless-offline-kafka/serverless-mappings';
import { handlerLoader } from '../serverless-offline-kafka/plugin-core';
import { PROJECT_ROOT } from '../local/local-stack';

/** The three table functions as `sls offline` sees them, tuned for a quick local run. */
export const LOCAL_SERVICE: ServerlessServiceLike = {
  service: 'kafka-clickhouse-lambda-local',
  functions: Object.fromEntries(
    TABLE_NAMES.map((table) => [
      table,
      {
        handler: `functions/${table}.handler`,
        events: [{ msk: { arn: 'arn:aws:kafka:local:000000000000:cluster/local/local', topic: TOPIC_OF_TABLE[table], batchSize: 500, maximumBatchingWindow: 0.2, startingPosition: 'TRIM_HORIZON' } }],
      },
    ]),
  ),
};

export interface TableReport {
  readonly table: TableName;
  readonly produced: number;
  readonly inserted: number;
  readonly skippedDuplicates: number;
  readonly sentToDlq: number;
  /** Distinct ids in the table after the run (all runs so far). */
  readonly rowsInClickHouse: number;
}

export interface DemoResult {
  readonly tables: readonly TableReport[];
  readonly dlqMessages: number;
  readonly elapsedMs: number;
}

export interface DemoOptions {
  readonly config: Config;
  readonly kafka: Kafka;
  readonly clickhouse: ClickHouseClient;
  readonly sample: SampleDataOptions;
  readonly logger: PipelineLogger;
  /** Bound on waiting for the handlers to account for every produced record. */
  readonly timeoutMs?: number;
}

type Offsets = Map<string, bigint>;

async function endOffsets(kafka: Kafka, topics: readonly string[]): Promise<Offsets> {
  const result: Offsets = new Map();
  for (const topic of topics) for (const [partition, end] of await fetchEndOffsets(kafka, topic)) result.set(`${topic}/${partition}`, end);
  return result;
}

/**
 * Produces sample data, consumes it through the real handlers via the event-source emulator until
 * every produced record's offset is committed (bounded wait), and reads the figures back from
 * ClickHouse (`migration_logs` of this run's invocations) and the DLQ topic.
 */
export async function runPipelineDemo(options: DemoOptions): Promise<DemoResult> {
  const started = Date.now();
  const { config, kafka, clickhouse } = options;
  const topics = TABLE_NAMES.map((t) => TOPIC_OF_TABLE[t]);

  const records = generateSampleData(options.sample);
  const producer = await createProducer(config.kafka);
  await producer.connect();
  let produced: TopicSummary[];
  try {
    produced = await sendSampleData(producer, records);
  } finally {
    await producer.disconnect();
  }
  const targets = await endOffsets(kafka, topics);

  const emulator = new KafkaEventSourceEmulator({
    kafka: await kafkaClientOptions(config.kafka),
    logger: options.logger,
    mappings: mappingsFromService(LOCAL_SERVICE, config.kafka.brokers, handlerLoader(PROJECT_ROOT)),
  });
  const requestIds: string[] = [];
  const committed: Offsets = new Map();
  const done = () => [...targets].every(([key, target]) => target === 0n || (committed.get(key) ?? -1n) >= target);
  const allCommitted = new Promise<void>((resolve) => {
    emulator.on('invoked', (r: InvocationReport) => requestIds.push(r.requestId));
    emulator.on('committed', (c: { topic: string; partition: number; offset: string }) => {
      committed.set(`${c.topic}/${c.partition}`, BigInt(c.offset));
      if (done()) resolve();
    });
  });
  const timeoutMs = options.timeoutMs ?? 120_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await emulator.start();
    // Topics that already were consumed up to their end need no invocation at all.
    if (!done()) {
      await Promise.race([
        allCommitted,
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`not every produced record was accounted for within ${timeoutMs / 1000} s: ${describeLag(targets, committed)}`)), timeoutMs);
        }),
      ]);
    }
  } finally {
    clearTimeout(timer);
    await emulator.stop();
  }

  const tables = await readBack(clickhouse, produced, requestIds);
  const dlqMessages = [...(await endOffsets(kafka, [config.dlqTopic])).values()].reduce((a, b) => a + b, 0n);
  return { tables, dlqMessages: Number(dlqMessages), elapsedMs: Date.now() - started };
}

/** The functions' handlers keep connections per container; close them when the demo is done. */
export async function closeDemoHandlers(): Promise<void> {
  for (const table of TABLE_NAMES) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(`${PROJECT_ROOT}/functions/${table}`) as { handler: { close(): Promise<void> } };
    await mod.handler.close();
  }
}

const describeLag = (targets: Offsets, committed: Offsets): string =>
  [...targets]
    .filter(([key, target]) => (committed.get(key) ?? 0n) < target)
    .map(([key, target]) => `${key} committed ${committed.get(key) ?? 'none'} of ${target}`)
    .join(', ');

async function readBack(clickhouse: ClickHouseClient, produced: readonly TopicSummary[], requestIds: readonly string[]): Promise<TableReport[]> {
  const logs = await (
    await clickhouse.query({
      query: `SELECT table_name, sum(inserted) AS inserted, sum(skipped_duplicates) AS skipped, sum(sent_to_dlq) AS dlq
              FROM migration_logs WHERE request_id IN {ids:Array(String)} GROUP BY table_name`,
      query_params: { ids: requestIds },
      format: 'JSONEachRow',
    })
  ).json<{ table_name: TableName; inserted: string; skipped: string; dlq: string }>();
  const reports: TableReport[] = [];
  for (const table of TABLE_NAMES) {
    const log = logs.find((l) => l.table_name === table);
    const [rows] = await (await clickhouse.query({ query: `SELECT uniqExact(id) AS n FROM ${table}`, format: 'JSONEachRow' })).json<{ n: string }>();
    reports.push({
      table,
      produced: produced.find((p) => p.table === table)?.sent ?? 0,
      inserted: Number(log?.inserted ?? 0),
      skippedDuplicates: Number(log?.skipped ?? 0),
      sentToDlq: Number(log?.dlq ?? 0),
      rowsInClickHouse: Number(rows?.n ?? 0),
    });
  }
  return reports;
}
