import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Config } from './config';

export const SERVICE_NAME = 'kafka-clickhouse-lambda';

type PowertoolsLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT' | 'CRITICAL';
type LogItem = Parameters<Logger['printLog']>[1];

/** Powertools' threshold for ERROR (TRACE 6 … ERROR 20, CRITICAL 24). */
const ERROR_THRESHOLD = 20;

/**
 * Local only (`LOG_DIR`): every line also goes to `combined.log`, errors to `error.log`, and a
 * table's lines to `<table>.log`, like the seed project's log files. Lambda logs to stdout only.
 */
class FileMirroringLogger extends Logger {
  constructor(
    options: ConstructorParameters<typeof Logger>[0],
    private readonly logDir: string,
    private readonly table: string | undefined,
  ) {
    super(options);
    mkdirSync(logDir, { recursive: true });
  }

  protected override printLog(logLevel: number, log: LogItem): void {
    super.printLog(logLevel, log);
    const line = `${JSON.stringify(log.getAttributes())}\n`;
    appendFileSync(join(this.logDir, 'combined.log'), line);
    if (logLevel >= ERROR_THRESHOLD) appendFileSync(join(this.logDir, 'error.log'), line);
    if (this.table) appendFileSync(join(this.logDir, `${this.table}.log`), line);
  }
}

/**
 * A Powertools logger (JSON to stdout, CloudWatch-ready) whose every line carries `keys`,
 * e.g. `{ table: 'users' }` for a handler; with `LOG_DIR` set, lines are mirrored to files.
 */
export function createLogger(config: Pick<Config, 'logLevel' | 'logDir'>, keys: Record<string, string> = {}): Logger {
  const options = { serviceName: SERVICE_NAME, logLevel: config.logLevel.toUpperCase() as PowertoolsLevel, persistentKeys: keys };
  return config.logDir ? new FileMirroringLogger(options, config.logDir, keys.table) : new Logger(options);
}
