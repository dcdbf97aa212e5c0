import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { getConfig, type Config } from './config';
import { createPorts, type ClosablePorts, type PortsOptions } from './create-ports';
import { Deadline } from './deadline';
import { createLogger } from './logger';
import { createMetrics, publishBatchFailure, publishBatchMetrics } from './metrics';
import { processBatch, type BatchSummary } from './pipeline';
import type { TableName } from './schemas';

export type PortsFactory = (config: Config, options: PortsOptions) => ClosablePorts;

export interface TableHandlerOptions {
  /** Defaults to the process configuration, parsed once at cold start. */
  readonly config?: Config;
  /** Builds the writer, dead-letter sink and audit trail; defaults to ClickHouse + Kafka. */
  readonly createPorts?: PortsFactory;
  /** Defaults to a Powertools logger and EMF metrics for the table (tests observe them). */
  readonly logger?: Logger;
  readonly metrics?: Metrics;
}

export type HandlerContext = Pick<Context, 'awsRequestId'> & Partial<Context>;

export interface TableHandler {
  (event: unknown, context: HandlerContext): Promise<BatchSummary>;
  /** Writes the queued audit rows and closes connections (tests, local tools; Lambda never calls it). */
  close(): Promise<void>;
}

/**
 * Builds the Lambda handler of one table. Configuration is parsed here, at cold start, so a bad
 * variable fails the init with one clear message; connections open on first use and stay for the
 * life of the container. Every invocation runs against a deadline taken from the Lambda context,
 * so it fails with a logged, counted `TransientError` before Lambda would time it out.
 *
 * @example
 * export const handler = createTableHandler('users');
 */
export function createTableHandler(table: TableName, options: TableHandlerOptions = {}): TableHandler {
  const config = options.config ?? getConfig();
  const logger = options.logger ?? createLogger(config, { table });
  const metrics = options.metrics ?? createMetrics(table);
  let auditFailures = 0;
  const ports = (options.createPorts ?? createPorts)(config, { logger, onAuditFailure: () => void auditFailures++ });

  const handler = async (event: unknown, context: HandlerContext): Promise<BatchSummary> => {
    const deadline = Deadline.fromContext(context);
    if (typeof context.functionName === 'string') logger.addContext(context as Context);
    logger.appendKeys({ awsRequestId: context.awsRequestId });
    try {
      const summary = await processBatch(event, { table, requestId: context.awsRequestId, maxRecordBytes: config.maxRecordBytes, ports, logger, deadline });
      logger.info('batch processed', { ...summary });
      publishBatchMetrics(metrics, summary, takeAuditFailures());
      return summary;
    } catch (error) {
      // Rethrown on purpose: the event source mapping retries the whole batch, idempotency makes it safe.
      logger.error(`batch failed; it will be redelivered: ${(error as Error).message}`, error as Error);
      publishBatchFailure(metrics, takeAuditFailures());
      throw error;
    } finally {
      logger.resetKeys();
      // `sls invoke local` waits for the event loop to empty where Lambda would freeze the container.
      if (config.invokeLocal) await ports.close();
    }
  };
  const takeAuditFailures = (): number => {
    const n = auditFailures;
    auditFailures = 0;
    return n;
  };
  return Object.assign(handler, { close: () => ports.close() });
}
