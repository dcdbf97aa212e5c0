import { Logger } from '@aws-lambda-powertools/logger';
import type { Config } from './config';

export const SERVICE_NAME = 'kafka-clickhouse-lambda';

type PowertoolsLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT' | 'CRITICAL';

/**
 * A Powertools logger (JSON to stdout, CloudWatch-ready) whose every line carries `keys`,
 * e.g. `{ table: 'users' }` for a handler.
 */
export function createLogger(config: Pick<Config, 'logLevel'>, keys: Record<string, string> = {}): Logger {
  return new Logger({
    serviceName: SERVICE_NAME,
    logLevel: config.logLevel.toUpperCase() as PowertoolsLevel,
    persistentKeys: keys,
  });
}
