import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { resolveClickHouseCredentials } from '../../lib/clickhouse/client';
import type { ClickHouseConfig } from '../../lib/config';
import { toClickHouseDateTime } from '../../lib/transform/to-clickhouse-row';
import { renderMigration, splitStatements } from './render';

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
}

/**
 * Applies pending migrations in order and records each in `schema_migrations`. Safe to run
 * twice or concurrently: every statement is `IF NOT EXISTS`-style, so two runners racing on the
 * same version both succeed, and the version table is a ReplacingMergeTree. A migration whose
 * file changed after it was applied is an error (write a new migration instead).
 */
export async function migrate(options: MigrateOptions): Promise<MigrationResult> {
  const { serverClient, databaseClient, database, cluster } = options;
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

  const rows = await (
    await databaseClient.query({ query: 'SELECT version, argMax(checksum, applied_at) AS checksum FROM schema_migrations GROUP BY version', format: 'JSONEachRow' })
  ).json<{ version: string; checksum: string }>();
  const appliedChecksums = new Map(rows.map((r) => [r.version, r.checksum]));

  const result: MigrationResult = { applied: [], alreadyApplied: [] };
  for (const migration of options.migrations ?? loadMigrations()) {
    const label = `${migration.version}_${migration.name}`;
    const known = appliedChecksums.get(migration.version);
    if (known !== undefined) {
      if (known !== migration.checksum) {
        throw new MigrationError(`migration ${label} was changed after it was applied; add a new migration instead`);
      }
      result.alreadyApplied.push(label);
      continue;
    }
    for (const statement of splitStatements(renderMigration(migration.sql, cluster))) {
      try {
        await databaseClient.command({ query: statement });
      } catch (error) {
        throw new MigrationError(`migration ${label} failed: ${(error as Error).message}`, { cause: error });
      }
    }
    await databaseClient.insert({
      table: 'schema_migrations',
      format: 'JSONEachRow',
      values: [{ version: migration.version, name: migration.name, checksum: migration.checksum, applied_at: toClickHouseDateTime(new Date()) }],
    });
    result.applied.push(label);
  }
  return result;
}

/** Connects with `config`'s credentials, applies pending migrations, and closes the clients. */
export async function migrateDatabase(config: ClickHouseConfig): Promise<MigrationResult> {
  const credentials = await resolveClickHouseCredentials(config);
  // Failures reach the caller as errors; the client's own multi-line log of them would only repeat them.
  const common = { url: credentials.url, username: credentials.username, password: credentials.password, request_timeout: config.requestTimeoutMs, log: { level: ClickHouseLogLevel.OFF } };
  const serverClient = createClient(common);
  const databaseClient = createClient({ ...common, database: config.database });
  try {
    return await migrate({ serverClient, databaseClient, database: config.database, cluster: config.cluster });
  } finally {
    await Promise.all([serverClient.close(), databaseClient.close()]);
  }
}
