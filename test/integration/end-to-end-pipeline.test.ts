import { closeTableHandlers } from '../../infra/demo/local-functions';
import { runPipelineDemo } from '../../infra/demo/pipeline-demo';
import { createProducer } from '../../lib/kafka/client';
import { generateSampleData } from '../../lib/producer/sample-data';
import { sendSampleData, summarise } from '../../lib/producer/send-sample-data';
import { silentLogger } from '../support/fakes';
import { startTestStack, type TestStack } from '../support/test-stack';

describe('end to end: producer → Kafka → emulated event sources → handlers → ClickHouse', () => {
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

  it('accounts for every one of 1,200 records of its run exactly once, apart from records already waiting in the topics', async () => {
    // Prepare: records another producer left unconsumed before the run.
    const earlier = generateSampleData({ users: 7, products: 25, orders: 0, invalidRate: 0, seed: 1 });
    const producer = await createProducer(ts.config.kafka);
    await producer.connect();
    await sendSampleData(producer, earlier);
    await producer.disconnect();
    const sample = { users: 200, products: 100, orders: 900, invalidRate: 0.05, seed: 4242 };
    const expected = summarise(generateSampleData(sample));
    // Act
    const result = await runPipelineDemo({ config: ts.config, clickhouse: ts.clickhouse, sample, logger: silentLogger, redelivery: 'resplit' });
    // Assess
    expect(result.problems).toEqual([]);
    expect(result.backlog).toEqual({ received: 32, inserted: 32, skippedDuplicates: 0, sentToDlq: 0 });
    for (const report of result.tables) {
      const topic = expected.find((e) => e.table === report.table)!;
      const before = earlier.filter((r) => r.table === report.table).length;
      const counts = await ts.counts(report.table);
      expect({ table: report.table, produced: report.produced, inserted: report.inserted, skipped: report.skippedDuplicates, dlq: report.sentToDlq, others: report.others, missing: report.missing, rows: counts.rows, ids: counts.ids }).toEqual({
        table: report.table, produced: topic.sent, inserted: topic.valid, skipped: 0, dlq: topic.poison, others: 0, missing: [], rows: topic.valid + before, ids: topic.valid + before,
      });
    }
    expect(result.dlqMessages).toBe(expected.reduce((n, e) => n + e.poison, 0));
  });
});
