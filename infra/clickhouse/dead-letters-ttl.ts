import type { ClickHouseClient } from '@clickhouse/client';

/** The TTL `dead_letters` keeps rows for, as the table says and as configured. */
export interface DeadLettersTtl {
  /** Days rows are kept; `undefined` when the database has no `dead_letters` table (yet). */
  readonly days: number | undefined;
  /** The previous TTL in days (`null`: none) when this run changed it. */
  readonly changedFrom?: number | null;
}

/** Reads the day count of `dead_letters`' TTL from its engine definition: `null` without a TTL, `undefined` without the table. */
export async function deadLettersTtlDays(client: ClickHouseClient): Promise<number | null | undefined> {
  const [table] = await (
    await client.query({
      query: "SELECT engine_full FROM system.tables WHERE database = currentDatabase() AND name = 'dead_letters'",
      format: 'JSONEachRow',
    })
  ).json<{ engine_full: string }>();
  if (!table) return undefined;
  // ClickHouse stores `INTERVAL n DAY` as `toIntervalDay(n)`; accept both spellings.
  const match = /\bTTL\b.*?(?:toIntervalDay\((\d+)\)|INTERVAL\s+(\d+)\s+DAY)/is.exec(table.engine_full);
  return match ? Number(match[1] ?? match[2]) : null;
}

/**
 * Makes `dead_letters` keep rows for `days` (DEAD_LETTERS_TTL_DAYS): migration 008 sets the TTL when
 * it creates the table, so a later change of the variable is applied here, on every
 * `npm run migrate`, with `ALTER TABLE … MODIFY TTL`, which also re-applies the TTL to rows already stored (a mutation,
 * awaited).
 */
export async function reconcileDeadLettersTtl(client: ClickHouseClient, days: number, cluster?: string): Promise<DeadLettersTtl> {
  const current = await deadLettersTtlDays(client);
  if (current === undefined) return { days: undefined };
  if (current === days) return { days };
  const onCluster = cluster ? ` ON CLUSTER ${cluster}` : '';
  await client.command({
    query: `ALTER TABLE dead_letters${onCluster} MODIFY TTL toDateTime(failed_at) + INTERVAL ${Math.trunc(days)} DAY`,
    clickhouse_settings: { alter_sync: '2', mutations_sync: '2' },
  });
  return { days, changedFrom: current };
}
