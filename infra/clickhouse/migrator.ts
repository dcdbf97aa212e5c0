import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { resolveClickHouseCredentials } from '../../lib/clickhouse/client';
import type { ClickHouseConfig } from '../../lib/config';
import { toClickHouseDateTime } from '../../lib/schemas/fields';
import { reconcileDeadLettersTtl, type DeadLettersTtl } from './dead-letters-ttl';
import { checkDeduplicationWindows } from './dedup-check';
import { acquireMigrationLock } from './migration-lock';
import { parseStatements, renderMigration } from './render';
import { probeClickHouse } from './server-probe';

export const MIGRATIONS_DIR = join(__dirname, 'migrations');

export interface Migration {
  readonly version: string;
  readonly name: string;
  readonly sql: string;
  readonly checksum: string;
}

export interface MigrationResult {
  readonly applied: string[];
  readonly alreadyApplied: string[];
  /** The TTL of `dead_letters` now, and what it was when this run changed it. */
  readonly deadLettersTtl: DeadLettersTtl;
}

export class MigrationError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

/** Reads `NNN_name.sql` files in version order. */
export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((file) => /^\d+_[\w-]+\.sql$/.test(file))
    .sort()
    .map((file) => {
      const sql = readFileSync(join(dir, file), 'utf8');
      const [, version, name] = /^(\d+)_([\w-]+)\.sql$/.exec(file)!;
      return { version: version!, name: name!, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

export interface MigrateOptions {
  /** A client connected without a database (or to `default`): used to create the database. */
  readonly serverClient: ClickHouseClient;
  /** A client whose default database is `database`. */
  readonly databaseClient: ClickHouseClient;
  readonly database: string;
  readonly cluster?: string;
  readonly migrations?: readonly Migration[];
  /** Values of `{{NAME}}` placeholders (e.g. `DEAD_LETTERS_TTL_DAYS`). */
  readonly variables?: Readonly<Record<string, string | number>>;
}

const DEFAULT_VARIABLES = { DEAD_LETTERS_TTL_DAYS: 30 };

/**
 * Applies pending migrations in order and records each in `schema_migrations`. Safe to run twice
 * or concurrently: runners take a lock (a table only one can create) before applying anything, a
 * statement guarded by `-- @when` runs only when its condition holds, so an interrupted run can
 * run again, and a migration whose file changed after it was applied is an error (write a new
 * migration instead). Afterwards it checks that the deduplication windows are what the writer
 * relies on and gives `dead_letters` the configured TTL.
 */
export async function migrate(options: MigrateOptions): Promise<MigrationResult> {
  const { serverClient, databaseClient, database, cluster } = options;
  const variables = { ...DEFAULT_VARIABLES, ...options.variables };
  const onCluster = cluster ? ` ON CLUSTER ${cluster}` : '';
  await serverClient.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}${onCluster}` });
  await databaseClient.command({
    query: renderMigration(
      `CREATE TABLE IF NOT EXISTS schema_migrations{{ON_CLUSTER}}
       (version String, name String, checksum String, applied_at DateTime64(3, 'UTC'))
       ENGINE = {{ReplacingMergeTree(applied_at)}} ORDER BY version`,
      cluster,
    ),
  });

  const migrations = options.migrations ?? loadMigrations();
  const result = { applied: [] as string[], alreadyApplied: [] as string[] };
  let applied = await appliedChecksums(databaseClient);
  const pending = () => migrations.filter((m) => !applied.has(m.version));
  if (pending().length > 0) {
    const release = await acquireMigrationLock(databaseClient, cluster);
    try {
      // Another runner may have applied them while this one waited for the lock.
      applied = await appliedChecksums(databaseClient);
      for (const migration of pending()) {
        await applyMigration(databaseClient, migration, cluster, variables);
        result.applied.push(label(migration));
      }
    } finally {
      await release();
    }
  }
  for (const migration of migrations) {
    const known = applied.get(migration.version);
    if (known === undefined) continue;
    if (known !== migration.checksum) throw new MigrationError(`migration ${label(migration)} was changed after it was applied; add a new migration instead`);
    result.alreadyApplied.push(label(migration));
  }
  await checkDeduplicationWindows(databaseClient);
  // Migration 008 set the TTL when it created the table; a later DEAD_LETTERS_TTL_DAYS applies here.
  const deadLettersTtl = await reconcileDeadLettersTtl(databaseClient, Number(variables.DEAD_LETTERS_TTL_DAYS), cluster);
  return { ...result, deadLettersTtl };
}

const label = (m: Migration): string => `${m.version}_${m.name}`;

async function appliedChecksums(client: ClickHouseClient): Promise<Map<string, string>> {
  const rows = await (
    await client.query({ query: 'SELECT version, argMax(checksum, applied_at) AS checksum FROM schema_migrations GROUP BY version', format: 'JSONEachRow' })
  ).json<{ version: string; checksum: string }>();
  return new Map(rows.map((r) => [r.version, r.checksum]));
}

async function applyMigration(client: ClickHouseClient, migration: Migration, cluster: string | undefined, variables: Record<string, string | number>): Promise<void> {
  for (const statement of parseStatements(renderMigration(migration.sql, cluster, variables))) {
    try {
      if (statement.when && !(await holds(client, statement.when))) continue;
      await client.command({ query: statement.sql, clickhouse_settings: { mutations_sync: '2', alter_sync: '2' } });
    } catch (error) {
      throw new MigrationError(`migration ${label(migration)} failed: ${(error as Error).message}`, { cause: error });
    }
  }
  await client.insert({
    table: 'schema_migrations',
    format: 'JSONEachRow',
    values: [{ version: migration.version, name: migration.name, checksum: migration.checksum, applied_at: toClickHouseDateTime(new Date()) }],
  });
}

async function holds(client: ClickHouseClient, condition: string): Promise<boolean> {
  const rows = await (await client.query({ query: condition, format: 'JSONCompactEachRow' })).json<unknown[]>();
  const first = rows[0]?.[0];
  return first !== undefined && first !== null && Number(first) !== 0;
}

/** Connects with `config`'s credentials, applies pending migrations, and closes the clients. */
export async function migrateDatabase(config: ClickHouseConfig): Promise<MigrationResult> {
  const credentials = await resolveClickHouseCredentials(config);
  // Fails within the request timeout when nothing, or something else, answers at the address.
  await probeClickHouse(credentials.url, config.requestTimeoutMs);
  const common = {
    url: credentials.url,
    username: credentials.username,
    password: credentials.password,
    // Rebuild migrations copy whole tables; the runner reports its own errors.
    request_timeout: Math.max(config.requestTimeoutMs, 300_000),
    log: { level: ClickHouseLogLevel.OFF },
  };
  const serverClient = createClient(common);
  const databaseClient = createClient({ ...common, database: config.database });
  try {
    return await migrate({
      serverClient,
      databaseClient,
      database: config.database,
      cluster: config.cluster,
      variables: { DEAD_LETTERS_TTL_DAYS: config.deadLettersTtlDays },
    });
  } finally {
    await Promise.all([serverClient.close(), databaseClient.close()]);
  }
}
