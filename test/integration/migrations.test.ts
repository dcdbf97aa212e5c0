import { createClient } from '@clickhouse/client';
import { deadLettersTtlDays } from '../../infra/clickhouse/dead-letters-ttl';
import { loadMigrations, migrate, migrateDatabase, MigrationError } from '../../infra/clickhouse/migrator';
import { startTestStack, type TestStack } from '../support/test-stack';

describe('migrations', () => {
  let ts: TestStack;

  // startTestStack has already migrated database `test` once.
  beforeAll(async () => {
    ts = await startTestStack();
  });

  afterAll(() => ts.stop());

  it('creates every table of design.md', async () => {
    const tables = await (await ts.clickhouse.query({ query: 'SELECT name FROM system.tables WHERE database = currentDatabase() ORDER BY name', format: 'JSONEachRow' })).json<{ name: string }>();
    expect(tables.map((t) => t.name)).toEqual([
      'dead_letters', 'migration_logs', 'orders', 'orders_processed_events', 'processed_events', 'products',
      'products_processed_events', 'schema_migrations', 'users', 'users_processed_events',
    ]);
  });

  it('is a no-op the second time', async () => {
    await expect(migrateDatabase(ts.config.clickhouse)).resolves.toEqual({
      applied: [],
      alreadyApplied: loadMigrations().map((m) => `${m.version}_${m.name}`),
      deadLettersTtl: { days: ts.config.clickhouse.deadLettersTtlDays },
    });
  });

  it('applies a changed DEAD_LETTERS_TTL_DAYS to the existing dead_letters table, rows included', async () => {
    const config = { ...ts.config.clickhouse, database: 'ttl_change' };
    await migrateDatabase(config);
    const client = createClient({ url: ts.stack.clickhouseUrl, database: 'ttl_change' });
    try {
      expect(await deadLettersTtlDays(client)).toBe(30);
      // A letter 10 days old: kept under 30 days, expired once the TTL is 7 days.
      await client.command({
        query: `INSERT INTO dead_letters (failed_at, handler, reason, source_topic, source_partition, source_offset, original_encoding, original_sha256)
                VALUES (now64(3) - INTERVAL 10 DAY, 'users', 'SCHEMA_VALIDATION', 'users', 0, 1, 'utf8', ''), (now64(3), 'users', 'SCHEMA_VALIDATION', 'users', 0, 2, 'utf8', '')`,
      });
      await expect(migrateDatabase({ ...config, deadLettersTtlDays: 7 })).resolves.toMatchObject({ applied: [], deadLettersTtl: { days: 7, changedFrom: 30 } });
      expect(await deadLettersTtlDays(client)).toBe(7);
      const offsets = await (await client.query({ query: 'SELECT source_offset FROM dead_letters ORDER BY source_offset', format: 'JSONEachRow' })).json<{ source_offset: string }>();
      expect(offsets.map((o) => Number(o.source_offset))).toEqual([2]);
      await expect(migrateDatabase({ ...config, deadLettersTtlDays: 7 })).resolves.toMatchObject({ deadLettersTtl: { days: 7 } });
    } finally {
      await client.close();
    }
  });

  it('is safe to run concurrently on a fresh database', async () => {
    const config = { ...ts.config.clickhouse, database: 'concurrent' };
    const results = await Promise.all([migrateDatabase(config), migrateDatabase(config)]);
    expect(results.flatMap((r) => [...r.applied, ...r.alreadyApplied]).sort()).toEqual(
      loadMigrations().flatMap((m) => [`${m.version}_${m.name}`, `${m.version}_${m.name}`]).sort(),
    );
    const [row] = await (await ts.clickhouse.query({ query: 'SELECT uniqExact(version) AS v FROM concurrent.schema_migrations', format: 'JSONEachRow' })).json<{ v: string }>();
    expect(Number(row!.v)).toBe(loadMigrations().length);
  });

  it('refuses a migration that changed after it was applied', async () => {
    const client = createClient({ url: ts.stack.clickhouseUrl, database: 'test' });
    const changed = loadMigrations().map((m) => (m.version === '002' ? { ...m, checksum: 'different' } : m));
    await expect(migrate({ serverClient: client, databaseClient: client, database: 'test', migrations: changed })).rejects.toThrow(
      new MigrationError('migration 002_products was changed after it was applied; add a new migration instead'),
    );
    await client.close();
  });
});
