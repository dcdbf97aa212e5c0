import { randomUUID } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import { generateSampleData, type SampleRecord } from '../../lib/producer/sample-data';
import { TABLE_NAMES, type TableName } from '../../lib/schemas';
import type { LambdaLikeHandler } from '../serverless-offline-kafka/event-source-poller';
import { toLambdaEvent } from '../serverless-offline-kafka/lambda-event';

/**
 * Rows written by `npm run seed` never went through Kafka: they carry this topic name, partition
 * 0 and their position in the seed as the offset, so they are easy to tell apart.
 */
export const SEED_TOPIC = 'seed';

/** The event source the seed events claim to come from (an MSK cluster that does not exist). */
const SEED_SOURCE = { kind: 'msk', clusterArn: 'arn:aws:kafka:local:000000000000:cluster/seed/seed', bootstrapServers: SEED_TOPIC } as const;

/** Records per event: the batch size the deployed functions use. */
const EVENT_SIZE = 1_000;

export interface SeedOptions {
  readonly users: number;
  readonly products: number;
  readonly orders: number;
  /** The same seed gives the same records (ids and message ids), so a second run changes nothing. */
  readonly seed: number;
}

export interface SeedReport {
  readonly table: TableName;
  readonly records: number;
  readonly inserted: number;
  readonly skippedDuplicates: number;
  readonly sentToDlq: number;
}

const asMessage = (record: SampleRecord, offset: number, timestamp: number): KafkaMessage =>
  ({
    key: Buffer.from(record.key),
    value: record.value === null ? null : Buffer.from(record.value),
    timestamp: String(timestamp),
    attributes: 0,
    offset: String(offset),
    headers: {},
  }) as unknown as KafkaMessage;

/**
 * Puts initial sample rows into ClickHouse, as the POC's seed script did, but through the table
 * handlers: each table's records go in Lambda-shaped events of up to 1,000, so validation,
 * idempotency, `processed_events` and `migration_logs` apply exactly as for Kafka traffic.
 */
export async function seedTables(options: SeedOptions, handlerOf: (table: TableName) => LambdaLikeHandler): Promise<SeedReport[]> {
  const records = generateSampleData({ ...options, invalidRate: 0 });
  const timestamp = Date.now();
  const reports: SeedReport[] = [];
  for (const table of TABLE_NAMES) {
    const messages = records.filter((r) => r.table === table).map((r, offset) => asMessage(r, offset, timestamp));
    const report = { table, records: messages.length, inserted: 0, skippedDuplicates: 0, sentToDlq: 0 };
    for (let i = 0; i < messages.length; i += EVENT_SIZE) {
      const event = toLambdaEvent(SEED_SOURCE, SEED_TOPIC, 0, messages.slice(i, i + EVENT_SIZE));
      const summary = (await handlerOf(table)(event, { awsRequestId: randomUUID(), functionName: table })) as Omit<SeedReport, 'table' | 'records'>;
      report.inserted += summary.inserted;
      report.skippedDuplicates += summary.skippedDuplicates;
      report.sentToDlq += summary.sentToDlq;
    }
    reports.push(report);
  }
  return reports;
}
