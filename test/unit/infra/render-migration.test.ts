import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadMigrations, MIGRATIONS_DIR } from '../../../infra/clickhouse/migrator';
import { renderMigration, splitStatements } from '../../../infra/clickhouse/render';

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
    for (const m of loadMigrations()) {
      expect(renderMigration(m.sql)).not.toContain('{{');
      expect(renderMigration(m.sql, 'c')).not.toContain('{{');
    }
  });

  it('splits statements at line-ending semicolons and drops comments', () => {
    expect(splitStatements("-- a\nSELECT 'a;b';\nSELECT 2;\n")).toEqual(["SELECT 'a;b'", 'SELECT 2']);
  });

  it('loads the migrations in version order', () => {
    expect(loadMigrations().map((m) => m.version)).toEqual(['001', '002', '003', '004', '005']);
  });
});
