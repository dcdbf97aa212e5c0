import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KafkaMessage } from 'kafkajs';
import { classifyLetter } from '../../../../lib/dlq/classify-letter';
import { parseEditedLetters } from '../../../../lib/dlq/edited-letters';
import type { Letter, OurLetter } from '../../../../lib/dlq/letter';
import { planReplay, SOURCE_TOPICS } from '../../../../lib/dlq/replay-plan';
import { rereadOriginals, type RangeReader } from '../../../../lib/dlq/reread-originals';
import type { OffsetRange } from '../../../../lib/kafka/read-topic';

const fixture = (name: string) => readFileSync(join(__dirname, '../../../fixtures/dlq', name));
const at = (offset: string, value: unknown, key: string | null = null) =>
  classifyLetter({ partition: 0, offset, key: key === null ? null : Buffer.from(key), value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)) });

const original = '{"table":"users","messageId":"m-42","data":{"id":"u"}}';
const sha = createHash('sha256').update(original).digest('hex');
const ourValue = (extra: Record<string, unknown> = {}) => ({
  originalMessage: original,
  originalEncoding: 'utf8',
  source: { topic: 'users-topic', partition: 2, offset: '42', timestamp: 1, key: 'k-42' },
  error: { code: 'OVERSIZE', message: 'too big', issues: [] },
  failureReason: 'The record is larger than the pipeline accepts: too big.',
  failedAt: '2024-05-01T00:00:00.000Z',
  handler: 'users',
  ...extra,
});

/** A source topic held in memory: `low` is its first offset still there (older ones gone by retention). */
function fakeTopic(topic: string, partition: number, low: bigint, values: string[]): RangeReader & { calls: OffsetRange[][] } {
  const calls: OffsetRange[][] = [];
  const read = async (asked: string, ranges: readonly OffsetRange[]) => {
    calls.push([...ranges]);
    if (asked !== topic) throw new Error(`This server does not host this topic-partition (${asked})`);
    const messages = values
      .map((value, i) => ({ partition, message: { offset: String(low + BigInt(i)), key: Buffer.from(`k-${low + BigInt(i)}`), value: Buffer.from(value), headers: { h: Buffer.from('1') } } as unknown as KafkaMessage }))
      .filter(({ message }) => ranges.some((r) => r.partition === partition && BigInt(message.offset) >= r.first && BigInt(message.offset) <= r.last));
    return { messages, bounds: new Map([[partition, { low, high: low + BigInt(values.length) }]]) };
  };
  return Object.assign(read, { calls });
}

describe('planReplay', () => {
  it('sends our letter from its own bytes, with the DLQ key and a partition:offset trace', () => {
    const plan = planReplay(at('7', ourValue(), 'k-42'));
    expect(plan).toMatchObject({ kind: 'send', records: [{ topic: 'users-topic', key: Buffer.from('k-42'), value: Buffer.from(original), replayedFrom: '0:7' }] });
  });

  it('re-reads a truncated original, or one with a truncated key, checking the hash when there is one', () => {
    expect(planReplay(at('7', ourValue({ originalMessage: '{"tab', originalTruncated: true, originalSha256: sha })))).toMatchObject({
      kind: 'reread',
      ranges: [{ topic: 'users-topic', partition: 2, first: 42n, last: 42n }],
      sha256: sha,
    });
    const keyCut = ourValue({ originalSha256: '' });
    (keyCut.source as Record<string, unknown>).keyTruncated = true;
    expect(planReplay(at('7', keyCut))).toMatchObject({ kind: 'reread', sha256: undefined });
  });

  it("sends Lambda's embedded records with their key and headers; re-reads the metadata-only shape", () => {
    const embedded = planReplay(at('8', fixture('lambda-kafka-destination.json').toString(), 'user-7'));
    expect(embedded).toMatchObject({ kind: 'send', records: [{ topic: 'users-topic', key: Buffer.from('user-7'), headers: { 'trace-id': Buffer.from('t1') }, replayedFrom: '0:8' }] });
    expect(planReplay(at('9', fixture('lambda-sns-sqs.json').toString()))).toMatchObject({ kind: 'reread', ranges: [{ first: 120n, last: 123n }, { first: 40n, last: 41n }] });
  });

  it('explains why an UNKNOWN message or an unlocated Lambda record cannot be replayed', () => {
    expect(planReplay(at('3', 'hello'))).toEqual(expect.objectContaining({ kind: 'cannot', why: 'not a dead letter this tool knows (not JSON), so it names no record to put back' }));
    const { payload: _dropped, ...bare } = JSON.parse(fixture('lambda-kafka-destination.json').toString());
    expect(planReplay(at('4', bare))).toMatchObject({ kind: 'cannot', why: expect.stringMatching(/neither its topic nor its partition/) });
  });

  it('sends an edited line as is, unless it is still marked truncated', () => {
    const line = (extra: Record<string, unknown>) => JSON.stringify({ kind: 'ours', partition: 0, offset: '7', key: 'k-42', value: ourValue(extra) });
    const [fixed, stillCut] = parseEditedLetters(`${line({ originalMessage: '{"fixed":true}' })}\n${line({ originalTruncated: true })}\n`, 'fixed.jsonl');
    expect(planReplay(fixed!)).toMatchObject({ kind: 'send', records: [{ value: Buffer.from('{"fixed":true}'), key: Buffer.from('k-42'), replayedFrom: '0:7' }] });
    expect(planReplay(stillCut!)).toMatchObject({ kind: 'cannot', why: expect.stringMatching(/still a prefix/) });
  });

  it("refuses Lambda's reversed offset range instead of replaying nothing silently", () => {
    const letter = at('9', { ...JSON.parse(fixture('lambda-sns-sqs.json').toString()), KafkaBatchInfo: { recordsInfo: { 'orders-topic-0': { firstRecordOffset: '123', lastRecordOffset: '120' } } } });
    expect(planReplay(letter)).toMatchObject({ kind: 'cannot', why: expect.stringMatching(/^its offset range orders-topic\[0\]@123\.\.120 is reversed \(first after last\)/) });
  });

  it('sends only to the source topics unless the user allows another, and names the allowed ones', () => {
    const elsewhere = at('7', ourValue({ source: { topic: 'billing-topic', partition: 0, offset: '1' } }));
    expect(planReplay(elsewhere)).toMatchObject({
      kind: 'cannot',
      why: 'its records belong on "billing-topic", which is not a source topic of the pipeline (allowed: users-topic, products-topic, orders-topic; --allow-topic billing-topic sends there anyway)',
    });
    expect(planReplay(elsewhere, { allowedTopics: [...SOURCE_TOPICS, 'billing-topic'] })).toMatchObject({ kind: 'send', records: [{ topic: 'billing-topic' }] });
    const rereadElsewhere = at('9', { ...JSON.parse(fixture('lambda-sns-sqs.json').toString()), KafkaBatchInfo: { recordsInfo: { 'audit-0': { firstRecordOffset: '1', lastRecordOffset: '2' } } } });
    expect(planReplay(rereadElsewhere)).toMatchObject({ kind: 'cannot', why: expect.stringMatching(/^its records belong on "audit"/) });
  });

  it('reports a letter whose base64 original is not base64 instead of sending the bytes Buffer would make of it', () => {
    expect(planReplay(at('7', ourValue({ originalEncoding: 'base64', originalMessage: 'not base64!' })))).toMatchObject({ kind: 'cannot', why: expect.stringMatching(/^originalMessage is not valid base64/) });
    expect(planReplay(at('7', ourValue({ originalEncoding: 'base64', originalMessage: Buffer.from([0xff, 0xfe]).toString('base64') })))).toMatchObject({
      kind: 'send',
      records: [{ value: Buffer.from([0xff, 0xfe]) }],
    });
    const line = JSON.stringify({ kind: 'ours', partition: 0, offset: '7', key: '%%%', keyEncoding: 'base64', value: ourValue() });
    expect(() => parseEditedLetters(line, 'f.jsonl')).toThrow('f.jsonl:1: key is not valid base64 although keyEncoding is base64');
  });

  it('refuses edited lines that are not our letters, naming the line', () => {
    expect(() => parseEditedLetters('{"kind":"lambda","partition":0,"offset":"8","value":{}}\n', 'f.jsonl')).toThrow('f.jsonl:1 is a lambda letter');
    expect(() => parseEditedLetters('{"value":{"x":1}}', 'f.jsonl')).toThrow('f.jsonl:1 is not a dead letter line');
  });
});

describe('rereadOriginals', () => {
  it('re-reads the records of a range from the source topic, once per topic', async () => {
    // Prepare: orders-topic partition 0 holds offsets 118..125.
    const topic = fakeTopic('orders-topic', 0, 118n, ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
    const letter = at('9', { ...JSON.parse(fixture('lambda-sns-sqs.json').toString()), KafkaBatchInfo: { recordsInfo: { 'orders-topic-0': { firstRecordOffset: '120', lastRecordOffset: '123' } } } });
    // Act
    const [outcome] = await rereadOriginals([planReplay(letter), planReplay(letter)], topic);
    // Assess
    expect(topic.calls).toHaveLength(1);
    expect(outcome).toMatchObject({ from: 'source', problem: undefined });
    expect(outcome!.records.map((r) => [r.topic, String(r.value), String(r.key), r.replayedFrom])).toEqual([
      ['orders-topic', 'c', 'k-120', '0:9'],
      ['orders-topic', 'd', 'k-121', '0:9'],
      ['orders-topic', 'e', 'k-122', '0:9'],
      ['orders-topic', 'f', 'k-123', '0:9'],
    ]);
  });

  it('says per letter when the originals are gone (retention), and still sends what is left', async () => {
    const topic = fakeTopic('orders-topic', 0, 122n, ['e', 'f']);
    const letter = at('9', { ...JSON.parse(fixture('lambda-sns-sqs.json').toString()), KafkaBatchInfo: { recordsInfo: { 'orders-topic-0': { firstRecordOffset: '120', lastRecordOffset: '123' } } } });
    const [outcome] = await rereadOriginals([planReplay(letter)], topic);
    expect(outcome!.records.map((r) => String(r.value))).toEqual(['e', 'f']);
    expect(outcome!.problem).toBe('2 record(s) of orders-topic[0]@120..123 are gone from the topic: partition 0 now starts at offset 122 (retention)');
  });

  it('refuses a re-read record whose SHA-256 is not the one dead-lettered', async () => {
    const topic = fakeTopic('users-topic', 2, 42n, ['something else']);
    const letter = at('7', ourValue({ originalMessage: '{"tab', originalTruncated: true, originalSha256: sha }));
    const [outcome] = await rereadOriginals([planReplay(letter)], topic);
    expect(outcome).toMatchObject({ records: [], problem: 'the record at users-topic[2]@42 is not the one dead-lettered (its SHA-256 differs), so it is not replayed' });
    const [good] = await rereadOriginals([planReplay(letter)], fakeTopic('users-topic', 2, 42n, [original]));
    expect(good).toMatchObject({ from: 'source', records: [{ value: Buffer.from(original), key: Buffer.from('k-42') }] });
  });

  it('turns a topic that cannot be read into that letter’s problem, not a crash', async () => {
    const letter = at('7', ourValue({ originalTruncated: true }));
    const [outcome] = await rereadOriginals([planReplay(letter), planReplay(at('3', 'hello'))], fakeTopic('other-topic', 0, 0n, []));
    expect(outcome!.problem).toMatch(/^could not re-read users-topic\[2\]@42: This server does not host/);
  });

  it('does not try to re-read an absurd range', async () => {
    const topic = fakeTopic('orders-topic', 0, 0n, []);
    const letter: Letter = { ...(at('1', ourValue()) as OurLetter), kind: 'lambda', failure: { condition: 'RetriesExhausted' }, sources: [{ topic: 'orders-topic', partition: 0, first: 0n, last: 10n ** 40n }] };
    const [outcome] = await rereadOriginals([planReplay(letter)], topic);
    expect(topic.calls).toHaveLength(0);
    expect(outcome!.problem).toMatch(/spans more than 100000 offsets/);
  });
});
