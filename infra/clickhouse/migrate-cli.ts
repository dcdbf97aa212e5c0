import { getConfig } from '../../lib/config';
import { runCli } from '../cli/run-cli';
import { migrateDatabase } from './migrator';

runCli(async () => {
  const config = getConfig();
  const { url, database, cluster } = config.clickhouse;
  const result = await migrateDatabase(config.clickhouse);
  const where = `${url} database ${database}${cluster ? ` on cluster ${cluster}` : ''}`;
  for (const name of result.applied) console.log(`applied   ${name}`);
  console.log(`migrations: ${result.applied.length} applied, ${result.alreadyApplied.length} already applied (${where})`);
});
