import { ClickHouseAuditLog } from './clickhouse/audit-log';
import { createClickHouseClient } from './clickhouse/client';
import { IdempotentWriter } from './clickhouse/writer';
import type { Config } from './config';
import { createProducer } from './kafka/client';
import { DeadLetterPublisher } from './kafka/dead-letter-publisher';
import type { PipelinePorts } from './ports';

export interface ClosablePorts extends PipelinePorts {
  close(): Promise<void>;
}

/**
 * The production adapters: ClickHouse for rows and the audit trail, Kafka for dead letters.
 * The DLQ producer connects eagerly so a broker problem fails the first batch, not a later one
 * half-way through.
 */
export async function createPorts(config: Config): Promise<ClosablePorts> {
  const clickhouse = await createClickHouseClient(config.clickhouse);
  const producer = await createProducer(config.kafka);
  try {
    await producer.connect();
  } catch (error) {
    await clickhouse.close();
    throw error;
  }
  return {
    writer: new IdempotentWriter(clickhouse),
    deadLetters: new DeadLetterPublisher(producer, config.dlqTopic),
    audit: new ClickHouseAuditLog(clickhouse),
    async close() {
      await Promise.allSettled([producer.disconnect(), clickhouse.close()]);
    },
  };
}
