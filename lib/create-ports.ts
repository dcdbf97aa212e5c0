import type { ClickHouseClient } from '@clickhouse/client';
import { ClickHouseAuditTrail } from './clickhouse/audit-trail';
import type { ClickHouseCredentials } from './clickhouse/client';
import { ClickHouseConnection } from './clickhouse/connection';
import { DeadLetterTable } from './clickhouse/dead-letter-table';
import { IdempotentWriter } from './clickhouse/writer';
import type { Config } from './config';
import { DeadLetterStore } from './dead-letter-store';
import { DeadLetterPublisher } from './kafka/dead-letter-publisher';
import type { PipelineLogger, PipelinePorts } from './ports';

export interface ClosablePorts extends PipelinePorts {
  close(): Promise<void>;
}

export interface PortsOptions {
  /** Where the audit trail reports a failed write. */
  readonly logger?: PipelineLogger;
  /** Called for every failed audit write (the handler counts them in its metrics). */
  readonly onAuditFailure?: () => void;
  /** Builds the ClickHouse client (tests wrap it to count requests or inject crashes). */
  readonly createClickHouseClient?: (config: Config['clickhouse'], credentials: ClickHouseCredentials) => ClickHouseClient;
}

const quiet: PipelineLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * The production adapters: ClickHouse for rows, dead letters and the audit trail, Kafka for the
 * DLQ topic. Nothing connects here: ClickHouse on the first batch, Kafka only when a batch has
 * poison, so a Kafka problem never stops a clean batch.
 */
export function createPorts(config: Config, options: PortsOptions = {}): ClosablePorts {
  const connection = new ClickHouseConnection(config.clickhouse, options.createClickHouseClient);
  const requestTimeoutMs = config.clickhouse.requestTimeoutMs;
  const deadLetterTable = new DeadLetterTable(connection, { requestTimeoutMs, maxMessageBytes: config.dlqMaxMessageBytes });
  const publisher = new DeadLetterPublisher({ kafka: config.kafka, topic: config.dlqTopic, maxMessageBytes: config.dlqMaxMessageBytes });
  const audit = new ClickHouseAuditTrail(connection, options.logger ?? quiet, { onFailure: options.onAuditFailure });
  return {
    writer: new IdempotentWriter(connection, { requestTimeoutMs, deadLetterIndex: (rows, deadline) => deadLetterTable.alreadyDeadLettered(rows, deadline) }),
    deadLetters: new DeadLetterStore(publisher, deadLetterTable),
    audit,
    async close() {
      await audit.flush();
      await Promise.allSettled([publisher.close(), connection.close()]);
    },
  };
}
