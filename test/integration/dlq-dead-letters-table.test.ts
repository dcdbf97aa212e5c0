import { readLettersFromTable } from '../../lib/dlq/read-dead-letters-table';
import { runDlqCli } from '../support/dlq-cli';
import { startTestStack, type TestStack } from '../support/test-stack';

const row = (failedAt: string, handler: string, reason: string, topic: string, partition: number, offset: number, extra: Record<string, unknown> = {}) => ({
  failed_at: failedAt,
  handler,
  reason,
  error_message: `${reason.toLowerCase()} details`,
  failure_reason: `Why: ${reason}`,
  issues: JSON.stringify(reason === 'SCHEMA_VALIDATION' ? [{ path: 'data.email', code: 'invalid_format', message: 'Invalid email address' }] : []),
  source_topic: topic,
  source_partition: partition,
  source_offset: offset,
  source_timestamp: failedAt,
  source_key: `key-${offset}`,
  original_message: '{"table":"x"}',
  original_encoding: 'utf8',
  original_bytes: 13,
  original_sha256: '',
  original_truncated: false,
  request_id: `req-${offset}`,
  ...extra,
});

describe('npm run dlq -- inspect --source table: the dead_letters table', () => {
  let ts: TestStack;
  // Failure times relative to now: inside the table's 30-day TTL.
  const day = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().replace('T', ' ').replace('Z', '');

  beforeAll(async () => {
    ts = await startTestStack();
    await ts.clickhouse.insert({
      table: 'dead_letters',
      format: 'JSONEachRow',
      values: [
        row(day(3), 'users', 'SCHEMA_VALIDATION', 'users-topic', 2, 42),
        row(day(2), 'orders', 'INVALID_JSON', 'orders-topic', 0, 7),
        row(day(1), 'users', 'TABLE_MISMATCH', 'users-topic', 1, 43, { original_truncated: true, original_bytes: 2_100_000 }),
      ],
    });
    // The DLQ is at-least-once: the same letter written again by a redelivered batch.
    await ts.clickhouse.insert({ table: 'dead_letters', format: 'JSONEachRow', values: [row(day(2), 'orders', 'INVALID_JSON', 'orders-topic', 0, 7)] });
  });

  afterAll(async () => {
    await ts.stop();
  });

  it('lists every letter once, oldest first, with its source record and reason', async () => {
    // Act
    const { code, stdout, stderr } = await runDlqCli(['inspect', '--source', 'table'], ts.env);
    // Assess
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const lines = stdout.trimEnd().split('\n');
    expect(lines.slice(0, -1).map((l) => l.split('  ').slice(1, 4))).toEqual([
      ['users', 'SCHEMA_VALIDATION', 'users-topic[2]@42'],
      ['orders', 'INVALID_JSON', 'orders-topic[0]@7'],
      ['users', 'TABLE_MISMATCH', 'users-topic[1]@43'],
    ]);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z {2}/);
    expect(lines[2]).toContain('Why: TABLE_MISMATCH [original is 2100000 bytes, truncated in the letter: replay re-reads it]');
    expect(lines[3]).toBe('3 letter(s) in the dead_letters table (test).');
  });

  it('filters by reason, table, source record and time, like the topic source', async () => {
    const list = async (filter: Parameters<typeof readLettersFromTable>[1]) => (await readLettersFromTable(ts.clickhouse, filter)).map((l) => `${l.sources[0]!.topic}@${l.sources[0]!.first}`);
    expect(await list({ reason: 'SCHEMA_VALIDATION', table: 'users' })).toEqual(['users-topic@42']);
    expect(await list({ table: 'users' })).toEqual(['users-topic@42', 'users-topic@43']);
    expect(await list({ records: [{ topic: 'orders-topic', partition: 0, offset: 7n }, { topic: 'users-topic', partition: 1, offset: 43n }] })).toEqual(['orders-topic@7', 'users-topic@43']);
    expect(await list({ since: new Date(Date.now() - 2.5 * 86_400_000) })).toEqual(['orders-topic@7', 'users-topic@43']);
    // Values are parameters, never SQL text.
    expect(await list({ reason: "x' OR 1=1 --" })).toEqual([]);
  });

  it('reads a row back as a letter with its issues, and the CLI filters and prints JSON lines', async () => {
    const [letter] = await readLettersFromTable(ts.clickhouse, { reason: 'SCHEMA_VALIDATION' });
    expect(letter).toMatchObject({ kind: 'ours', table: 'users', value: { requestId: 'req-42', error: { issues: [{ path: 'data.email' }] }, source: { key: 'key-42', offset: '42' } } });

    const { code, stdout } = await runDlqCli(['inspect', '--source', 'table', '--record', 'orders-topic:0:7', '--since', '7d', '--json'], ts.env);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual([expect.objectContaining({ kind: 'ours', source: 'table', value: expect.objectContaining({ handler: 'orders', error: expect.objectContaining({ code: 'INVALID_JSON' }) }) })]);
  });

  it('explains in one line why --offset and replay do not apply to the table', async () => {
    expect(await runDlqCli(['inspect', '--source', 'table', '--offset', '0:1'], ts.env)).toMatchObject({
      code: 1,
      stderr: 'error: --offset picks positions on the DLQ topic, which the dead_letters table does not keep; pick rows with --record TOPIC:PARTITION:OFFSET. See `npm run dlq -- --help`.\n',
    });
    expect(await runDlqCli(['replay', '--source', 'table', '--all'], ts.env)).toMatchObject({ code: 1, stderr: expect.stringMatching(/^error: replay reads the DLQ topic: [^\n]+\n$/) });
  });
});
