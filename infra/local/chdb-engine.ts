import { Session } from 'chdb';
import { queryWithRawParams } from './chdb-raw-params';

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
  /** `param_<name>` values as the client sent them, in ClickHouse's escaped text format. */
  readonly params: Readonly<Record<string, string>>;
}

const quoteIdentifier = (name: string): string => `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;
const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const settingValue = (value: string): string => (/^-?\d+(\.\d+)?$/.test(value) ? value : `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`);

/**
 * chdb's embedded ClickHouse on one data directory. chdb keeps `USE` and `SET` as session state,
 * so queries run strictly one at a time, and each runs with exactly its own database and settings:
 * the engine remembers what the session holds and, before a query, switches the database and sets
 * or resets only the settings that differ (most requests of a client repeat the same settings, so
 * usually nothing needs to change and a request costs one engine call).
 */
export class ChdbEngine {
  private readonly session: Session;
  private tail: Promise<unknown> = Promise.resolve();
  private database: string | undefined;
  /** Settings the session holds now; undefined when unknown (after a failed change). */
  private applied: Map<string, string> | undefined = new Map();

  constructor(dataDir: string) {
    this.session = new Session(dataDir);
  }

  execute(query: EngineQuery): Promise<EngineResult> {
    const run = this.tail.then(() => this.executeNow(query));
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Closes the session once the query running now, if any, has finished. */
  async close(): Promise<void> {
    await this.tail;
    this.session.close();
  }

  private async executeNow(query: EngineQuery): Promise<EngineResult> {
    await this.prepareSession(query);
    const result =
      Object.keys(query.params).length > 0
        ? await queryWithRawParams(this.session, query.sql, query.format, query.params)
        : await this.session.queryAsync(query.sql, { format: query.format }).then((r) => ({ bytes: r.bytes(), elapsed: r.elapsed, rowsRead: r.rowsRead, bytesRead: r.bytesRead }));
    return { body: Buffer.from(result.bytes), elapsedSeconds: result.elapsed, rowsRead: result.rowsRead, bytesRead: result.bytesRead };
  }

  /** Puts the session in the query's database with exactly the query's settings. */
  private async prepareSession(query: EngineQuery): Promise<void> {
    const wanted = new Map(query.settings.map(([k, v]) => [k, v] as [string, string]));
    const applied = this.applied;
    const statements: string[] = [];
    if (this.database !== query.database) statements.push(`USE ${quoteIdentifier(query.database)}`);
    // Unknown state: reset everything this query does not set.
    for (const name of applied ? applied.keys() : []) if (!wanted.has(name)) statements.push(`SET ${name} = DEFAULT`);
    for (const [name, value] of wanted) if (!applied || applied.get(name) !== value) statements.push(`SET ${name} = ${settingValue(value)}`);
    if (statements.length === 0) return;
    try {
      await this.session.queryAsync(statements.join('; '), { format: 'TabSeparated' });
      this.database = query.database;
      this.applied = wanted;
    } catch (error) {
      // A setting was refused half-way: forget what the session holds and put every setting we
      // know of back to its default, so the next query starts clean.
      const known = new Set([...(applied?.keys() ?? []), ...wanted.keys()]);
      this.applied = new Map();
      this.database = undefined;
      if (known.size > 0) {
        await this.session.queryAsync([...known].filter((k) => SETTING_NAME.test(k)).map((k) => `SET ${k} = DEFAULT`).join('; '), { format: 'TabSeparated' }).catch(() => {
          this.applied = undefined;
        });
      }
      throw error;
    }
  }
}
