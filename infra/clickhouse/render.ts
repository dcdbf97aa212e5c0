/**
 * Renders a migration for a single server or a cluster. Migrations write `{{ON_CLUSTER}}` after a
 * table name and `{{Engine(args)}}` for the engine; on a cluster the engine becomes its
 * Replicated variant with the conventional Keeper path and replica macros.
 */
export function renderMigration(sql: string, cluster?: string): string {
  return sql
    .replace(/\{\{ON_CLUSTER\}\}/g, cluster ? ` ON CLUSTER ${cluster}` : '')
    .replace(/\{\{(\w*MergeTree)\((.*?)\)\}\}/g, (_, engine: string, args: string) => {
      if (!cluster) return `${engine}(${args})`;
      const replicated = [`'/clickhouse/tables/{shard}/{database}/{table}'`, `'{replica}'`, args.trim()].filter(Boolean);
      return `Replicated${engine}(${replicated.join(', ')})`;
    });
}

/** Splits a migration into statements at semicolons that end a line; `--` comments dropped. */
export function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*(?:\n|$)/)
    .map((statement) =>
      statement
        .split('\n')
        .filter((line) => !line.trim().startsWith('--'))
        .join('\n')
        .trim(),
    )
    .filter(Boolean);
}
