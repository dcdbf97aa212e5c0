import { Session } from 'chdb';

export interface EngineResult {
  readonly body: Buffer;
  readonly elapsedSeconds: number;
  readonly rowsRead: number;
  readonly bytesRead: number;
}

export interface EngineQuery {
  readonly sql: string;
  readonly database: string;
  readonly format: string;
  readonly settings: ReadonlyArray<readonly [string, string]>;
  readonly params: Readonly<Record<string, string>>;
}

const quoteIdentifier = (name: string): string => `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;
const settingValue = (value: string): string => (/^-?\d+(\.\d+)?$/.test(value) ? value : `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`);

/**
 * chdb's embedded ClickHouse on one data directory. chdb keeps `USE` and `SET` as session state,
 * so queries run strictly one at a time: database and settings are applied before each query
 * and the settings reset after it, so no request sees another request's settings.
 */
export class ChdbEngine {
  private readonly session: Session;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(dataDir: string) {
    this.session = new Session(dataDir);
  }

  execute(query: EngineQuery): Promise<EngineResult> {
    const run = this.tail.then(() => this.executeNow(query));
    this.tail = run.catch(() => undefined);
    return run;
  }

  close(): void {
    this.session.close();
  }

  private async executeNow(query: EngineQuery): Promise<EngineResult> {
    const prelude = [`USE ${quoteIdentifier(query.database)}`, ...query.settings.map(([k, v]) => `SET ${k} = ${settingValue(v)}`)];
    try {
      await this.session.queryAsync(prelude.join('; '), { format: 'TabSeparated' });
      const hasParams = Object.keys(query.params).length > 0;
      const result = hasParams
        ? await this.session.queryBindAsync(query.sql, query.params, { format: query.format })
        : await this.session.queryAsync(query.sql, { format: query.format });
      return { body: Buffer.from(result.bytes()), elapsedSeconds: result.elapsed, rowsRead: result.rowsRead, bytesRead: result.bytesRead };
    } finally {
      if (query.settings.length > 0) {
        await this.session
          .queryAsync(query.settings.map(([k]) => `SET ${k} = DEFAULT`).join('; '), { format: 'TabSeparated' })
          .catch(() => undefined);
      }
    }
  }
}
