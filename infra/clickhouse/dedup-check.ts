import type { ClickHouseClient } from '@clickhouse/client';
import { DEDUP_REQUIREMENTS } from './render';

/** Tables the pipeline inserts into with a deduplication token. */
export const DEDUPLICATED_TABLES = ['users', 'products', 'orders', 'processed_events', 'dead_letters'] as const;

export class DeduplicationWindowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeduplicationWindowError';
  }
}

const settingIn = (engineFull: string, name: string): number | undefined => {
  const match = new RegExp(`\\b${name}\\s*=\\s*(\\d+)`).exec(engineFull);
  return match ? Number(match[1]) : undefined;
};

/**
 * Checks that every deduplicated table remembers enough inserts for a retried insert to be
 * recognised (see `DEDUP_REQUIREMENTS`): `non_replicated_deduplication_window` on a plain table,
 * `replicated_deduplication_window` and `…_window_seconds` on a Replicated or Shared (ClickHouse
 * Cloud) one. A table setting wins over the server default. Throws one error naming every table
 * to fix and the statement that fixes it.
 */
export async function checkDeduplicationWindows(client: ClickHouseClient): Promise<void> {
  const tables = await (
    await client.query({
      query: 'SELECT name, engine, engine_full FROM system.tables WHERE database = currentDatabase() AND name IN {names:Array(String)}',
      query_params: { names: [...DEDUPLICATED_TABLES] },
      format: 'JSONEachRow',
    })
  ).json<{ name: string; engine: string; engine_full: string }>();
  const defaults = new Map(
    (
      await (
        await client.query({ query: "SELECT name, value FROM system.merge_tree_settings WHERE name LIKE '%deduplication_window%'", format: 'JSONEachRow' })
      ).json<{ name: string; value: string }>()
    ).map((s) => [s.name, Number(s.value)]),
  );
  const problems: string[] = [];
  for (const table of tables) {
    const effective = (name: string) => settingIn(table.engine_full, name) ?? defaults.get(name) ?? 0;
    const replicated = /^(Replicated|Shared)/.test(table.engine);
    const required: Array<[string, number]> = replicated
      ? [['replicated_deduplication_window', DEDUP_REQUIREMENTS.blocks], ['replicated_deduplication_window_seconds', DEDUP_REQUIREMENTS.seconds]]
      : [['non_replicated_deduplication_window', DEDUP_REQUIREMENTS.blocks]];
    for (const [setting, minimum] of required) {
      const value = effective(setting);
      if (value < minimum) problems.push(`${table.name}: ${setting} is ${value}, needs at least ${minimum} (ALTER TABLE ${table.name} MODIFY SETTING ${setting} = ${setting.endsWith("_seconds") ? minimum : 10_000})`);
    }
  }
  if (problems.length > 0) {
    throw new DeduplicationWindowError(`deduplication windows too small for retried inserts to be recognised: ${problems.join('; ')}`);
  }
}
