import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { loadMigrations, migrate, MigrationError } from '../../infra/clickhouse/migrator';
import { startTestStack, type TestStack } from '../support/test-stack';

describe('migration 006 upgrades tables that already hold rows', () => {
  let ts: TestStack;
  let client: ClickHouseClient;
  const database = 'upgrade';

  beforeAll(async () => {
    ts = await startTestStack();
    client = createClient({ url: ts.stack.clickhouseUrl, database, log: { level: ClickHouseLogLevel.OFF } });
  });

  afterAll(async () => {
    await client.close();
    await ts.stop();
  });

  const select = async <T>(query: string): Promise<T[]> => (await client.query({ query, format: 'JSONEachRow' })).json<T>();
  const run = (migrations = loadMigrations()) => migrate({ serverClient: client, databaseClient: client, database, migrations });

  it('keeps every row, versions old rows by ingested_at, keeps the old table for checking, and can run again after an interruption', async () => {
    // Prepare: a deployment of the previous release (migrations 001–005) with rows written.
    const before = loadMigrations().filter((m) => m.version <= '005');
    await ts.clickhouse.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
    await run(before);
    await client.insert({
      table: 'users',
      format: 'JSONEachRow',
      values: [1, 2, 3].map((n) => ({
        id: `00000000-0000-4000-8000-00000000000${n}`, email: `u${n}@example.com`, name: `Old ${n}`, age: null, country: null,
        created_at: '2024-01-01 00:00:00.000', message_id: `old-${n}`, kafka_topic: 'users-topic', kafka_partition: 0, kafka_offset: n,
        ingested_at: `2024-02-0${n} 00:00:00.000`,
      })),
    });
    // An interrupted run: 006 fails half-way (after its swap of users), nothing is recorded.
    const interrupted = before.concat(
      loadMigrations()
        .filter((m) => m.version === '006')
        .map((m) => ({ ...m, sql: `${m.sql.split('-- @when SELECT count() > 0 FROM system.tables WHERE database = currentDatabase() AND name = \'users_v006\'')[0]}SELECT throwIf(1, 'interrupted');\n` })),
    );
    await expect(run(interrupted)).rejects.toBeInstanceOf(MigrationError);

    // Act: the real migrations, twice.
    const first = await run();
    const second = await run();

    // Assess
    expect(first.applied).toEqual(['006_version_by_event_time', '007_processed_events_views', '008_dead_letters']);
    expect(second.applied).toEqual([]);
    expect(await select('SELECT name, toString(event_time) AS event_time FROM users ORDER BY name')).toEqual([
      { name: 'Old 1', event_time: '2024-02-01 00:00:00.000' },
      { name: 'Old 2', event_time: '2024-02-02 00:00:00.000' },
      { name: 'Old 3', event_time: '2024-02-03 00:00:00.000' },
    ]);
    expect(await select("SELECT name FROM system.tables WHERE database = 'upgrade' AND name LIKE '%_before_006' ORDER BY name")).toEqual([{ name: 'users_before_006' }]);
    expect(await select("SELECT engine_full LIKE 'ReplacingMergeTree(_version)%' AS versioned FROM system.tables WHERE database = 'upgrade' AND name IN ('users', 'products', 'orders')")).toEqual([
      { versioned: 1 }, { versioned: 1 }, { versioned: 1 },
    ]);
    expect(await select("SELECT count() AS n FROM users_before_006")).toEqual([{ n: '3' }]);
  });
});
