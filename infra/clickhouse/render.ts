/**
 * Renders a migration for a single server or a cluster. Migrations write `{{ON_CLUSTER}}` after a
 * table name, `{{Engine(args)}}` for the engine (on a cluster: its Replicated variant with the
 * conventional Keeper path and replica macros), `{{DEDUP_SETTINGS}}` for the deduplication
 * windows, and `{{NAME}}` for a value from `variables` (e.g. `{{DEAD_LETTERS_TTL_DAYS}}`).
 */
export function renderMigration(sql: string, cluster?: string, variables: Readonly<Record<string, string | number>> = {}): string {
  return sql
    .replace(/\{\{ON_CLUSTER\}\}/g, cluster ? ` ON CLUSTER ${cluster}` : '')
    .replace(/\{\{DEDUP_SETTINGS\}\}/g, DEDUP_SETTINGS)
    .replace(/\{\{(\w*MergeTree)\((.*?)\)\}\}/g, (_, engine: string, args: string) => {
      if (!cluster) return `${engine}(${args})`;
      const replicated = [`'/clickhouse/tables/{shard}/{database}/{table}'`, `'{replica}'`, args.trim()].filter(Boolean);
      return `Replicated${engine}(${replicated.join(', ')})`;
    })
    .replace(/\{\{([A-Z][A-Z0-9_]*)\}\}/g, (placeholder, name: string) => {
      if (!(name in variables)) throw new Error(`migration placeholder ${placeholder} has no value`);
      return String(variables[name]);
    });
}

/**
 * What the writer relies on when it retries an insert with the same deduplication token: a plain
 * table remembers the last `blocks` inserts, a Replicated or ClickHouse Cloud (Shared) table the
 * last `blocks` inserts of the last `seconds`. A retry comes within minutes (the event source
 * mapping redelivers a failed batch; a Lambda runs at most 14 minutes), so an hour is ample.
 */
export const DEDUP_REQUIREMENTS = { blocks: 1_000, seconds: 3_600 } as const;

/** The windows migrations set: all three settings on every table, so the table is right on any engine. */
export const DEDUP_SETTINGS =
  'non_replicated_deduplication_window = 10000, replicated_deduplication_window = 10000, replicated_deduplication_window_seconds = 3600';

/** One statement of a migration and its optional guard (`-- @when <query returning 0 or 1>`). */
export interface MigrationStatement {
  readonly sql: string;
  /** Run the statement only when this query's first value is non-zero. */
  readonly when?: string;
}

/**
 * Splits a migration into statements at semicolons that end a line; `--` comments are dropped,
 * except a `-- @when <query>` line, which guards the statement after it (rebuild migrations use it
 * so that a run interrupted half-way can simply run again).
 */
export function splitStatements(sql: string): string[] {
  return parseStatements(sql).map((s) => s.sql);
}

export function parseStatements(sql: string): MigrationStatement[] {
  return sql
    .split(/;\s*(?:\n|$)/)
    .map((chunk) => {
      const lines = chunk.split('\n');
      const guard = lines.map((line) => /^\s*--\s*@when\s+(.+?)\s*$/.exec(line)?.[1]).find(Boolean);
      const statement = lines.filter((line) => !line.trim().startsWith('--')).join('\n').trim();
      return guard ? { sql: statement, when: guard } : { sql: statement };
    })
    .filter((s) => s.sql !== '');
}
