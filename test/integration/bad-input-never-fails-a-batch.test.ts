import { createTableHandler, type TableHandler } from '../../lib/handler';
import { TABLE_NAMES, TOPIC_OF_TABLE, type TableName } from '../../lib/schemas';
import { BAD_INPUT_CORPUS, uuidOf, validRecord, type CorpusCase } from '../support/bad-input-corpus';
import type { RecordSpec } from '../support/events';
import { kafkaEvent, userEnvelope } from '../support/events';
import { startTestStack, type TestStack } from '../support/test-stack';

/** Case i uses numbers (and offsets) base, base+1, base+2: before-neighbour, the case, after-neighbour. */
const baseOf = (index: number) => 10_000 + index * 10;

function eventFor(c: CorpusCase, index: number) {
  const base = baseOf(index);
  const topic = TOPIC_OF_TABLE[c.table];
  const specs: RecordSpec[] = [
    { topic, offset: base, key: uuidOf(base), value: validRecord(c.table, base) },
    { topic, offset: base + 1, key: c.key === undefined ? uuidOf(base + 1) : c.key, value: c.value(base + 1) },
    { topic, offset: base + 2, key: uuidOf(base + 2), value: validRecord(c.table, base + 2) },
  ];
  const event = kafkaEvent(specs);
  const record = event.records[`${topic}-0`]![1]!;
  if (c.rawEventValue !== undefined) record.value = c.rawEventValue;
  if (c.rawEventKey !== undefined) record.key = c.rawEventKey;
  return event;
}

describe(`a bad-input corpus of ${BAD_INPUT_CORPUS.length} kinds, each between valid neighbours, never fails a batch`, () => {
  let ts: TestStack;
  const handlers = {} as Record<TableName, TableHandler>;

  beforeAll(async () => {
    ts = await startTestStack();
    for (const table of TABLE_NAMES) handlers[table] = createTableHandler(table, { config: ts.config });
    // A rule the Lambda's schemas do not know: only ClickHouse can reject these rows.
    await ts.clickhouse.command({ query: "ALTER TABLE products ADD CONSTRAINT no_banned_category CHECK category != 'Banned'" });
    await ts.clickhouse.command({ query: "ALTER TABLE products ADD CONSTRAINT no_rej_name CHECK NOT startsWith(name, 'REJ')" });
  });

  afterAll(async () => {
    await Promise.all(TABLE_NAMES.map((t) => handlers[t].close()));
    await ts.stop();
  });

  const select = async <T>(query: string, params: Record<string, unknown> = {}): Promise<T[]> =>
    (await ts.clickhouse.query({ query, query_params: params, format: 'JSONEachRow' })).json<T>();

  it('has at least 60 kinds', () => {
    expect(BAD_INPUT_CORPUS.length).toBeGreaterThanOrEqual(60);
  });

  it.each(BAD_INPUT_CORPUS.map((c, i) => [c.kind, c, i] as const))('%s', async (_kind, c, index) => {
    // Prepare
    const base = baseOf(index);
    const topic = TOPIC_OF_TABLE[c.table];
    // Act: the handler must not throw.
    const summary = await handlers[c.table](eventFor(c, index), { awsRequestId: `corpus-${index}` });
    // Assess: both neighbours are written, and every record is accounted for.
    const ids = [uuidOf(base), uuidOf(base + 1), uuidOf(base + 2)];
    const rows = await select<{ record_id: string }>(`SELECT toString(id) AS record_id FROM ${c.table} WHERE id IN {ids:Array(UUID)}`, { ids });
    expect(rows.map((r) => r.record_id)).toEqual(expect.arrayContaining([uuidOf(base), uuidOf(base + 2)]));
    const letters = await select<{ reason: string; offset: string }>(
      'SELECT reason, toString(source_offset) AS offset FROM dead_letters WHERE source_topic = {topic:String} AND source_offset BETWEEN {from:UInt64} AND {to:UInt64}',
      { topic, from: base, to: base + 2 },
    );
    expect(summary.received).toBe(3);
    expect(summary.inserted + summary.skippedDuplicates + summary.sentToDlq).toBe(3);
    expect(rows.length + letters.length + summary.skippedDuplicates).toBe(3);

    if ('deadLetter' in c.expect) {
      expect(letters).toEqual([{ reason: c.expect.deadLetter, offset: String(base + 1) }]);
      expect(summary).toMatchObject({ inserted: 2, sentToDlq: 1, status: 'partial' });
    } else if ('duplicate' in c.expect) {
      expect(summary).toMatchObject({ inserted: 2, skippedDuplicates: 1, sentToDlq: 0 });
    } else {
      expect(letters).toEqual([]);
      expect(summary).toMatchObject({ inserted: 3, sentToDlq: 0, status: 'success' });
      const expected = c.expect.written(base + 1);
      const columns = Object.keys(expected);
      if (columns.length > 0) {
        const [row] = await select<Record<string, unknown>>(`SELECT ${columns.join(', ')} FROM ${c.table} WHERE id = {id:UUID}`, { id: uuidOf(base + 1) });
        expect(row).toEqual(expected);
      }
    }
  });

  it('a 1,000-record batch with one lone surrogate writes its 999 good rows on the first delivery', async () => {
    const numbers = Array.from({ length: 1_000 }, (_, i) => 50_000 + i);
    const event = kafkaEvent(
      numbers.map((n, i) => ({ topic: 'users-topic', partition: 1, offset: i, value: i === 500 ? userEnvelope(n, { name: 'Zo\ud83d' }) : validRecord('users', n) })),
    );
    const summary = await handlers.users(event, { awsRequestId: 'lone-surrogate' });
    expect(summary).toMatchObject({ received: 1_000, inserted: 999, sentToDlq: 1, dlqByCode: { SCHEMA_VALIDATION: 1 } });
    const [row] = await select<{ n: string }>('SELECT count() AS n FROM users WHERE id IN {ids:Array(UUID)}', { ids: numbers.map(uuidOf) });
    expect(Number(row!.n)).toBe(999);
  });

  it('1,000 poison records of 1.2 kB publish in sends the broker accepts (no MESSAGE_TOO_LARGE)', async () => {
    const before = await ts.topicSize('dlq-topic');
    const event = kafkaEvent(Array.from({ length: 1_000 }, (_, i) => ({ topic: 'users-topic', partition: 2, offset: i, value: `{"broken": "${'p'.repeat(1_200)}` })));
    await expect(handlers.users(event, { awsRequestId: 'poison-flood' })).resolves.toMatchObject({ sentToDlq: 1_000 });
    expect(await ts.topicSize('dlq-topic')).toBe(before + 1_000);
  });

  it('puts every dead letter of the corpus on dlq-topic as well, each under the size cap', async () => {
    const expected = BAD_INPUT_CORPUS.flatMap((c, i) => ('deadLetter' in c.expect ? [`${TOPIC_OF_TABLE[c.table]}:0:${baseOf(i) + 1}:${c.expect.deadLetter}`] : [])).sort();
    const messages = await ts.readMessages('dlq-topic');
    const onTopic = messages.map((m) => JSON.parse(m.value!.toString()) as { source: { topic: string; partition: number; offset: string }; error: { code: string } });
    const corpusLetters = onTopic.filter((l) => l.source.partition === 0).map((l) => `${l.source.topic}:${l.source.partition}:${l.source.offset}:${l.error.code}`);
    expect([...new Set(corpusLetters)].sort()).toEqual(expected);
    for (const m of messages) expect(m.value!.length + (m.key?.length ?? 0)).toBeLessThanOrEqual(ts.config.dlqMaxMessageBytes);
  });
});
