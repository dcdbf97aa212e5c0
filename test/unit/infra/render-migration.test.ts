import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadMigrations, MIGRATIONS_DIR } from '../../../infra/clickhouse/migrator';
import { parseStatements, renderMigration, splitStatements } from '../../../infra/clickhouse/render';

describe('renderMigration', () => {
  const users = readFileSync(join(MIGRATIONS_DIR, '001_users.sql'), 'utf8');

  it('renders plain engines without a cluster', () => {
    const sql = renderMigration(users);
    expect(sql).toContain('CREATE TABLE IF NOT EXISTS users\n');
    expect(sql).toContain('ENGINE = ReplacingMergeTree(ingested_at)');
    expect(sql).not.toMatch(/\{\{|ON CLUSTER|Replicated/);
  });

  it('renders ON CLUSTER and Replicated engines with a cluster', () => {
    const sql = renderMigration(users, 'analytics');
    expect(sql).toContain('CREATE TABLE IF NOT EXISTS users ON CLUSTER analytics');
    expect(sql).toContain("ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', ingested_at)");
  });

  it('renders an engine without arguments', () => {
    expect(renderMigration('ENGINE = {{MergeTree()}}', 'c')).toBe("ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')");
  });

  it('leaves no placeholder in any shipped migration, clustered or not', () => {
    const variables = { DEAD_LETTERS_TTL_DAYS: 30 };
    for (const m of loadMigrations()) {
      expect(renderMigration(m.sql, undefined, variables)).not.toContain('{{');
      expect(renderMigration(m.sql, 'c', variables)).not.toContain('{{');
    }
  });

  it('refuses a placeholder without a value', () => {
    expect(() => renderMigration('TTL x + INTERVAL {{DEAD_LETTERS_TTL_DAYS}} DAY')).toThrow('migration placeholder {{DEAD_LETTERS_TTL_DAYS}} has no value');
  });

  it('renders the deduplication windows for every engine', () => {
    expect(renderMigration('SETTINGS {{DEDUP_SETTINGS}}')).toBe(
      'SETTINGS non_replicated_deduplication_window = 10000, replicated_deduplication_window = 10000, replicated_deduplication_window_seconds = 3600',
    );
  });

  it('splits statements at line-ending semicolons and drops comments', () => {
    expect(splitStatements("-- a\nSELECT 'a;b';\nSELECT 2;\n")).toEqual(["SELECT 'a;b'", 'SELECT 2']);
  });

  it('keeps a -- @when guard with the statement after it', () => {
    expect(parseStatements('-- note\n-- @when SELECT 1 = 1\nDROP TABLE x;\nSELECT 2;\n')).toEqual([{ sql: 'DROP TABLE x', when: 'SELECT 1 = 1' }, { sql: 'SELECT 2' }]);
  });

  it('loads the migrations in version order', () => {
    expect(loadMigrations().map((m) => m.version)).toEqual(['001', '002', '003', '004', '005', '006', '007', '008']);
  });
});
