import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../infra/local/local-stack';
import { createPorts, type ClosablePorts } from '../../lib/create-ports';
import { readDeadLetters } from '../../lib/dlq/dead-letter-reader';
import { originalRecord, replay } from '../../lib/dlq/replay';
import { processBatch } from '../../lib/pipeline';
import { loadFixture } from '../support/events';
import { silentLogger } from '../support/fakes';
import { startTestStack, testProducer, type TestStack } from '../support/test-stack';

const cli = (args: string[], env: Record<string, string>) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'infra/cli/dlq-cli.ts'), ...args], { cwd: PROJECT_ROOT, env: { ...process.env, ...env } });

describe('npm run dlq: inspect and replay', () => {
  let ts: TestStack;
  let ports: ClosablePorts;

  beforeAll(async () => {
    ts = await startTestStack();
    ports = await createPorts(ts.config);
    await processBatch(loadFixture('msk-users-mixed.json'), { table: 'users', requestId: 'dlq-test', maxRecordBytes: 1_048_576, ports, logger: silentLogger });
  });

  afterAll(async () => {
    await ports.close();
    await ts.stop();
  });

  it('reads the dead letters back, filtered by reason or table', async () => {
    const all = await readDeadLetters(ts.kafka, 'dlq-topic');
    expect(all.map((l) => l.value.error.code)).toEqual(['INVALID_JSON', 'SCHEMA_VALIDATION', 'TABLE_MISMATCH', 'EMPTY_VALUE', 'UNDECODABLE']);
    const schema = await readDeadLetters(ts.kafka, 'dlq-topic', { reason: 'SCHEMA_VALIDATION' });
    expect(schema.map((l) => [l.key?.toString(), l.value.source.offset])).toEqual([['bad-email', '42']]);
    expect(await readDeadLetters(ts.kafka, 'dlq-topic', { table: 'orders' })).toEqual([]);
  });

  it('replays a chosen record to its source topic with its original bytes', async () => {
    // Prepare
    const [binary] = await readDeadLetters(ts.kafka, 'dlq-topic', { reason: 'UNDECODABLE' });
    const before = await ts.topicSize('users-topic');
    // Act
    const producer = await testProducer(ts.kafka);
    const counts = await replay(producer, [originalRecord(binary!)]);
    await producer.disconnect();
    // Assess
    expect(counts).toEqual({ 'users-topic': 1 });
    const messages = await ts.readMessages('users-topic');
    expect(messages).toHaveLength(before + 1);
    const replayed = messages.find((m) => m.headers?.['x-replayed-from-dlq-offset']?.toString() === binary!.offset)!;
    expect(replayed.key?.toString()).toBe('binary');
    expect(replayed.value).toEqual(Buffer.from([0xff, 0xfe, 0x00, 0x41]));
  });

  it('prints a readable listing, and a readable error for bad usage', async () => {
    const env = { KAFKA_BROKERS: ts.stack.kafkaBrokers, KAFKA_IDEMPOTENT: 'false', LOG_LEVEL: 'silent' };
    const { stdout } = await cli(['inspect', '--reason', 'TABLE_MISMATCH'], env);
    expect(stdout).toMatch(/#2 {2}users {2}TABLE_MISMATCH {2}users-topic\[2\]@43 {2}The record was sent to the wrong topic/);
    expect(stdout).toContain('1 dead letter(s) in dlq-topic matching the filter.');
    await expect(cli(['replay'], env)).rejects.toMatchObject({ code: 1, stderr: 'error: choose what to replay. See `npm run dlq -- --help`.\n' });
    await expect(cli(['inspect', '--bogus'], env)).rejects.toMatchObject({ stderr: expect.not.stringMatching(/\n\s+at /) });
  });
});
