/**
 * Creates the stack's database through the ClickHouse endpoint's public HTTP interface, as the
 * ClickHouse Docker image creates `CLICKHOUSE_DB` at start: `?database=test` works right after
 * `npm run stack:up`, before any migration.
 */
export interface ClickHouseHttpAccess {
  readonly url: string;
  readonly user: string;
  readonly password: string;
}

/** A ClickHouse identifier in backquotes, so any database name is taken literally. */
export const quoteIdentifier = (name: string): string => `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;

export async function createDatabase(access: ClickHouseHttpAccess, database: string): Promise<void> {
  const response = await fetch(`${access.url}/`, {
    method: 'POST',
    headers: { 'X-ClickHouse-User': access.user, 'X-ClickHouse-Key': access.password },
    body: `CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(database)}`,
    signal: AbortSignal.timeout(30_000),
  });
  if (!response.ok) throw new Error(`could not create database ${database}: ${(await response.text()).trim()}`);
}
