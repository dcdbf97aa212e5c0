import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Logger, LogLevelThreshold } from '@aws-lambda-powertools/logger';
import type { Config } from './config';

export const SERVICE_NAME = 'kafka-clickhouse-lambda';

type PowertoolsLevel = keyof typeof LogLevelThreshold;
type LogItem = Parameters<Logger['printLog']>[1];

/**
 * Local only (`LOG_DIR`): every line also goes to `combined.log`, errors to `error.log`, and a
 * table's lines to `<table>.log`, like the seed project's log files. `LOG_LEVEL` sets what the
 * console shows; the files keep info and above whatever it is, so a quiet demo still leaves the
 * handlers' batch lines there. Lambda logs to stdout only.
 */
class FileMirroringLogger extends Logger {
  constructor(
    options: ConstructorParameters<typeof Logger>[0],
    private readonly consoleThreshold: number,
    private readonly logDir: string,
    private readonly table: string | undefined,
  ) {
    super(options);
    mkdirSync(logDir, { recursive: true });
  }

  protected override printLog(logLevel: number, log: LogItem): void {
    if (logLevel >= this.consoleThreshold) super.printLog(logLevel, log);
    else log.prepareForPrint();
    const line = `${JSON.stringify(log.getAttributes())}\n`;
    appendFileSync(join(this.logDir, 'combined.log'), line);
    if (logLevel >= LogLevelThreshold.ERROR) appendFileSync(join(this.logDir, 'error.log'), line);
    if (this.table) appendFileSync(join(this.logDir, `${this.table}.log`), line);
  }
}

/**
 * A Powertools logger (JSON to stdout, CloudWatch-ready) whose every line carries `keys`,
 * e.g. `{ table: 'users' }` for a handler; with `LOG_DIR` set, lines are mirrored to files.
 */
export function createLogger(config: Pick<Config, 'logLevel' | 'logDir'>, keys: Record<string, string> = {}): Logger {
  const level = config.logLevel.toUpperCase() as PowertoolsLevel;
  const options = { serviceName: SERVICE_NAME, logLevel: level, persistentKeys: keys };
  if (!config.logDir) return new Logger(options);
  const threshold = LogLevelThreshold[level];
  const fileLevel = threshold > LogLevelThreshold.INFO ? 'INFO' : level;
  return new FileMirroringLogger({ ...options, logLevel: fileLevel }, threshold, config.logDir, keys.table);
}
