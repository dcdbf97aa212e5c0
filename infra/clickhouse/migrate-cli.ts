import { getConfig } from '../../lib/config';
import { parseCliArgs, runCli } from '../cli/run-cli';
import { migrateDatabase } from './migrator';

const USAGE = `usage: npm run migrate

Creates CLICKHOUSE_DB if needed and applies the pending migrations of infra/clickhouse/migrations
in order on CLICKHOUSE_URL (ON CLUSTER when CLICKHOUSE_CLUSTER is set). Safe to run again.`;

runCli(
  async (argv) => {
    parseCliArgs({ args: argv, options: {} });
    const config = getConfig();
    const { url, database, cluster } = config.clickhouse;
    const result = await migrateDatabase(config.clickhouse);
    const where = `${url} database ${database}${cluster ? ` on cluster ${cluster}` : ''}`;
    for (const name of result.applied) console.log(`applied   ${name}`);
    const ttl = result.deadLettersTtl;
    if (ttl.changedFrom !== undefined) console.log(`dead_letters TTL changed from ${ttl.changedFrom ?? 'none'} to ${ttl.days} days (DEAD_LETTERS_TTL_DAYS)`);
    console.log(`migrations: ${result.applied.length} applied, ${result.alreadyApplied.length} already applied (${where})`);
  },
  { command: 'npm run migrate', usage: USAGE },
);
