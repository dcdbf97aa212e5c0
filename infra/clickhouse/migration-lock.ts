import type { ClickHouseClient } from '@clickhouse/client';

const LOCK_TABLE = 'schema_migrations_lock';
/** How long a runner waits for another one to finish before giving up with a clear message. */
export const LOCK_WAIT_MS = 10 * 60_000;
const POLL_MS = 250;

const isAlreadyExists = (error: unknown): boolean => /\bCode: 57\b|TABLE_ALREADY_EXISTS|already exists/i.test(String((error as Error)?.message ?? ''));

/**
 * Takes the migration lock: a table that only one runner can create (CREATE TABLE without
 * IF NOT EXISTS is atomic on a server, and ordered by the DDL queue on a cluster). Rebuild
 * migrations must not run twice at once. Returns the release function.
 */
export async function acquireMigrationLock(client: ClickHouseClient, cluster?: string, waitMs: number = LOCK_WAIT_MS): Promise<() => Promise<void>> {
  const onCluster = cluster ? ` ON CLUSTER ${cluster}` : '';
  const started = Date.now();
  for (;;) {
    try {
      await client.command({ query: `CREATE TABLE ${LOCK_TABLE}${onCluster} (taken_at DateTime DEFAULT now()) ENGINE = Memory` });
      return async () => {
        await client.command({ query: `DROP TABLE IF EXISTS ${LOCK_TABLE}${onCluster}` });
      };
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      if (Date.now() - started > waitMs) {
        throw new Error(
          `another migration has held the lock (table ${LOCK_TABLE}) for over ${Math.round(waitMs / 1000)} s; if no migration is running, remove it with DROP TABLE ${LOCK_TABLE}${onCluster}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
}
