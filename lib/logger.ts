import { Logger } from '@aws-lambda-powertools/logger';
import type { Config } from './config';

export const SERVICE_NAME = 'kafka-clickhouse-lambda';

type PowertoolsLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT' | 'CRITICAL';

/** A Powertools logger whose every line carries `table` (JSON to stdout, CloudWatch-ready). */
export function createLogger(config: Pick<Config, 'logLevel'>, table?: string): Logger {
  return new Logger({
    serviceName: SERVICE_NAME,
    logLevel: config.logLevel.toUpperCase() as PowertoolsLevel,
    persistentKeys: table ? { table } : {},
  });
}
