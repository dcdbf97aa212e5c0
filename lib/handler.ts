import type { Context } from 'aws-lambda';
import { getConfig, type Config } from './config';
import { createPorts } from './create-ports';
import { createLogger } from './logger';
import { createMetrics, publishBatchFailure, publishBatchMetrics } from './metrics';
import { processBatch, type BatchSummary } from './pipeline';
import type { PipelinePorts } from './ports';
import type { TableName } from './schemas';

export type PortsFactory = (config: Config, table: TableName) => Promise<PipelinePorts>;

export interface TableHandlerOptions {
  /** Defaults to the process configuration, parsed once at cold start. */
  readonly config?: Config;
  /** Builds the writer, dead-letter sink and audit log; defaults to ClickHouse + Kafka. */
  readonly createPorts?: PortsFactory;
}

export interface TableHandler {
  (event: unknown, context: Pick<Context, 'awsRequestId'> & Partial<Context>): Promise<BatchSummary>;
  /** Closes the container's connections (for tests and local tools; Lambda never calls it). */
  close(): Promise<void>;
}

/**
 * Builds the Lambda handler of one table. Configuration is parsed here, at cold start, so a bad
 * variable fails the init with one clear message; connections are opened on first use and kept
 * for the life of the container (a failed connect is retried on the next invocation).
 *
 * @example
 * export const handler = createTableHandler('users');
 */
export function createTableHandler(table: TableName, options: TableHandlerOptions = {}): TableHandler {
  const config = options.config ?? getConfig();
  const logger = createLogger(config, { table });
  const metrics = createMetrics(table);
  const buildPorts = options.createPorts ?? createPorts;
  let ports: Promise<PipelinePorts> | undefined;
  const getPorts = (): Promise<PipelinePorts> => {
    const pending =
      ports ??
      buildPorts(config, table).catch((error: unknown) => {
        ports = undefined;
        throw error;
      });
    ports = pending;
    return pending;
  };

  const handler = async (event: unknown, context: Pick<Context, 'awsRequestId'> & Partial<Context>): Promise<BatchSummary> => {
    if (typeof context.functionName === 'string') logger.addContext(context as Context);
    logger.appendKeys({ awsRequestId: context.awsRequestId });
    try {
      const summary = await processBatch(event, {
        table,
        requestId: context.awsRequestId,
        maxRecordBytes: config.maxRecordBytes,
        ports: await getPorts(),
        logger,
      });
      logger.info('batch processed', { ...summary });
      publishBatchMetrics(metrics, summary);
      return summary;
    } catch (error) {
      // Rethrown on purpose: the event source mapping retries the whole batch, idempotency makes it safe.
      logger.error('batch failed; it will be redelivered', error as Error);
      publishBatchFailure(metrics);
      throw error;
    } finally {
      logger.resetKeys();
      if (config.invokeLocal) await close();
    }
  };
  async function close(): Promise<void> {
    const open = ports;
    ports = undefined;
    if (open) await (await open.catch(() => undefined))?.close?.();
  }
  return Object.assign(handler, { close });
}
