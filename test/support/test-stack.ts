import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { Kafka, logLevel, Partitioners, type KafkaMessage } from 'kafkajs';
import { migrateDatabase } from '../../infra/clickhouse/migrator';
import { stackEnvironment, startLocalStack, type LocalStack } from '../../infra/local/local-stack';
import { loadConfig, type Config } from '../../lib/config';
import { readTopicToEnd } from '../../lib/kafka/read-topic';
import { fetchEndOffsets } from '../../lib/kafka/topic-offsets';

export interface TestStack {
  readonly stack: LocalStack;
  readonly env: Record<string, string>;
  readonly config: Config;
  readonly clickhouse: ClickHouseClient;
  readonly kafka: Kafka;
  /** Count of rows, and of distinct ids, in a table (no FINAL: physical rows). */
  counts(table: string): Promise<{ rows: number; ids: number }>;
  /** Messages in a topic so far (sum of high watermarks). */
  topicSize(topic: string): Promise<number>;
  /** Every message of `topic` so far, by partition and offset. */
  readMessages(topic: string): Promise<KafkaMessage[]>;
  stop(): Promise<void>;
}

/** A local stack (own process, own data dir) with the schema migrated, for one test file. */
export async function startTestStack(database = 'test'): Promise<TestStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kcl-stack-'));
  const stack = await startLocalStack({ dataDir, database });
  const env = {
    ...stackEnvironment(stack, { database, user: 'default', password: '' }),
    CLICKHOUSE_REQUEST_TIMEOUT_MS: '5000',
    LOG_LEVEL: 'silent',
  };
  const config = loadConfig(env);
  await migrateDatabase(config.clickhouse);
  const clickhouse = createClient({ url: stack.clickhouseUrl, database });
  const kafka = new Kafka({ clientId: 'test', brokers: stack.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });

  return {
    stack,
    env,
    config,
    clickhouse,
    kafka,
    async counts(table) {
      const result = await clickhouse.query({ query: `SELECT count() AS rows, uniqExact(id) AS ids FROM ${table}`, format: 'JSONEachRow' });
      const [row] = await result.json<{ rows: string; ids: string }>();
      return { rows: Number(row!.rows), ids: Number(row!.ids) };
    },
    async topicSize(topic) {
      return [...(await fetchEndOffsets(kafka, topic)).values()].reduce((sum, end) => sum + Number(end), 0);
    },
    async readMessages(topic) {
      return (await readTopicToEnd(kafka, topic)).map((m) => m.message);
    },
    async stop() {
      await clickhouse.close();
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A producer for tests (idempotence off: the mock broker cannot serve it). */
export async function testProducer(kafka: Kafka) {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  return producer;
}
