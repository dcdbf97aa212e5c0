import { closeDemoHandlers, runPipelineDemo } from '../../infra/demo/pipeline-demo';
import { generateSampleData } from '../../lib/producer/sample-data';
import { summarise } from '../../lib/producer/send-sample-data';
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
    await closeDemoHandlers();
    await ts.stop();
  });

  it('finds every one of 1,200 produced records in ClickHouse exactly once, and the poison in the DLQ', async () => {
    // Prepare
    const sample = { users: 200, products: 100, orders: 900, invalidRate: 0.05, seed: 4242 };
    const expected = summarise(generateSampleData(sample));
    // Act
    const result = await runPipelineDemo({ config: ts.config, kafka: ts.kafka, clickhouse: ts.clickhouse, sample, logger: silentLogger, timeoutMs: 240_000 });
    // Assess
    for (const report of result.tables) {
      const topic = expected.find((e) => e.table === report.table)!;
      const counts = await ts.counts(report.table);
      expect({ table: report.table, produced: report.produced, inserted: report.inserted, dlq: report.sentToDlq, rows: counts.rows, ids: counts.ids }).toEqual({
        table: report.table, produced: topic.sent, inserted: topic.valid, dlq: topic.poison, rows: topic.valid, ids: topic.valid,
      });
    }
    expect(result.dlqMessages).toBe(expected.reduce((n, e) => n + e.poison, 0));
  });
});
