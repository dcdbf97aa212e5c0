import { closeTableHandlers } from '../../infra/demo/local-functions';
import { SEED_TOPIC, seedTables } from '../../infra/demo/seed';
import { PROJECT_ROOT } from '../../infra/local/local-stack';
import { handlerLoader } from '../../infra/serverless-offline-kafka/plugin-core';
import { startTestStack, type TestStack } from '../support/test-stack';

describe('npm run seed', () => {
  let ts: TestStack;

  beforeAll(async () => {
    ts = await startTestStack();
    // The real handlers read their configuration from the environment, like in Lambda.
    Object.assign(process.env, ts.env);
  });

  afterAll(async () => {
    await closeTableHandlers();
    await ts.stop();
  });

  it('writes the sample rows through the handlers, and nothing more when run again with the same seed', async () => {
    // Prepare
    const load = handlerLoader(PROJECT_ROOT);
    const handlerOf = (table: string) => load(`functions/${table}.handler`);
    const options = { users: 12, products: 5, orders: 1_234, seed: 7 };
    // Act
    const first = await seedTables(options, handlerOf);
    const second = await seedTables(options, handlerOf);
    // Assess
    expect(first.map((r) => [r.table, r.records, r.inserted, r.skippedDuplicates, r.sentToDlq])).toEqual([
      ['users', 12, 12, 0, 0],
      ['products', 5, 5, 0, 0],
      ['orders', 1_234, 1_234, 0, 0],
    ]);
    expect(second.map((r) => [r.table, r.inserted, r.skippedDuplicates])).toEqual([
      ['users', 0, 12],
      ['products', 0, 5],
      ['orders', 0, 1_234],
    ]);
    expect(await ts.counts('orders')).toEqual({ rows: 1_234, ids: 1_234 });
    const result = await ts.clickhouse.query({ query: 'SELECT DISTINCT kafka_topic FROM users', format: 'JSONEachRow' });
    expect(await result.json()).toEqual([{ kafka_topic: SEED_TOPIC }]);
  });
});
