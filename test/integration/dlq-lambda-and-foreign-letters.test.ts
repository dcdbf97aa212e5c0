import { createHash } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { createPorts, type ClosablePorts } from '../../lib/create-ports';
import { readTopicToEnd } from '../../lib/kafka/read-topic';
import { processBatch } from '../../lib/pipeline';
import { runDlqCli } from '../support/dlq-cli';
import { kafkaEvent, userEnvelope, userId } from '../support/events';
import { silentLogger } from '../support/fakes';
import { startTestStack, testProducer, type TestStack } from '../support/test-stack';

/** Lambda's on-failure record as an SNS/SQS destination gets it: metadata only (docs: kafka-on-failure.html). */
const metadataOnlyLetter = (topic: string, partition: number, first: string, last: string) => ({
  requestContext: { requestId: 'req-lambda-1', functionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:kcl-test-users', condition: 'RetryAttemptsExhausted', approximateInvokeCount: 11 },
  responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
  version: '1.0',
  timestamp: '2024-05-01T10:00:00.000Z',
  KafkaBatchInfo: { batchSize: 3, eventSourceArn: 'arn:aws:kafka:eu-west-1:111122223333:cluster/test/abc', recordsInfo: { [`${topic}-${partition}`]: { firstRecordOffset: first, lastRecordOffset: last } } },
});

/** Lambda's record as a Kafka destination gets it: the failed record in `payload` (docs: kafka-on-failure-destination.html). */
const kafkaDestinationLetter = (partition: number, offset: string, key: string, value: string) => ({
  requestContext: { requestId: 'req-lambda-2', functionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:kcl-test-users', condition: 'RetriesExhausted', approximateInvokeCount: 3 },
  responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
  version: '1.0',
  timestamp: '2024-05-01T10:05:00.000Z',
  KafkaBatchInfo: { batchSize: 1, recordInfo: { offset, timestamp: '2024-05-01T10:04:00.000Z' } },
  payload: kafkaEvent([{ topic: 'users-topic', partition, offset: Number(offset), key, value }]),
});

describe("npm run dlq: Lambda's on-failure records and foreign messages", () => {
  let ts: TestStack;
  let ports: ClosablePorts;
  let producer: Producer;
  const dlq: Record<'metadataOnly' | 'embedded' | 'truncated' | 'gone' | 'foreignText' | 'foreignJson' | 'reversed' | 'elsewhere' | 'badBase64', string> = {} as never;
  let originals: { partition: number; first: bigint };

  const putOnDlq = async (value: string | null, key: string | null = null) => {
    const [meta] = await producer.send({ topic: 'dlq-topic', acks: -1, messages: [{ key, value }] });
    return `${meta!.partition}:${meta!.baseOffset}`;
  };

  /** users-topic records replayed from the letter at `position`, and what the users handler makes of them. */
  const replayedFrom = async (position: string) =>
    (await readTopicToEnd(ts.kafka, 'users-topic')).filter(({ message }) => message.headers?.['x-replayed-from-dlq-offset']?.toString() === position);

  const idsInClickHouse = async (ns: number[]) => {
    const result = await ts.clickhouse.query({ query: 'SELECT count() AS c FROM users FINAL WHERE id IN {ids:Array(UUID)}', query_params: { ids: ns.map(userId) }, format: 'JSONEachRow' });
    return Number((await result.json<{ c: string }>())[0]!.c);
  };

  beforeAll(async () => {
    ts = await startTestStack();
    ports = await createPorts(ts.config);
    producer = await testProducer(ts.kafka);
    // Records Lambda "gave up on": three on users-topic partition 1, one on partition 0, one more for a truncated letter.
    const [batch] = await producer.send({ topic: 'users-topic', acks: -1, messages: [5001, 5002, 5003].map((n) => ({ key: `user-${n}`, value: userEnvelope(n), partition: 1 })) });
    originals = { partition: 1, first: BigInt(batch!.baseOffset!) };
    const [single] = await producer.send({ topic: 'users-topic', acks: -1, messages: [{ key: 'user-5004', value: userEnvelope(5004), partition: 0 }] });
    const [big] = await producer.send({ topic: 'users-topic', acks: -1, messages: [{ key: 'user-5005', value: userEnvelope(5005), partition: 2 }] });

    dlq.metadataOnly = await putOnDlq(JSON.stringify(metadataOnlyLetter('users-topic', 1, String(originals.first), String(originals.first + 2n))));
    dlq.embedded = await putOnDlq(JSON.stringify(kafkaDestinationLetter(0, single!.baseOffset!, 'user-5004', userEnvelope(5004))), 'user-5004');
    dlq.truncated = await putOnDlq(
      JSON.stringify({
        originalMessage: userEnvelope(5005).slice(0, 20),
        originalEncoding: 'utf8',
        originalBytes: Buffer.byteLength(userEnvelope(5005)),
        originalSha256: createHash('sha256').update(userEnvelope(5005)).digest('hex'),
        originalTruncated: true,
        source: { topic: 'users-topic', partition: 2, offset: big!.baseOffset!, timestamp: 1, key: 'user-5005', keyTruncated: false },
        error: { code: 'CLICKHOUSE_REJECTED', message: 'rejected', issues: [] },
        failureReason: 'ClickHouse rejected the row: rejected.',
        failedAt: '2024-05-01T10:10:00.000Z',
        handler: 'users',
        requestId: 'req-ours',
      }),
      'user-5005',
    );
    dlq.gone = await putOnDlq(JSON.stringify(metadataOnlyLetter('users-topic', 2, '900', '901')));
    dlq.reversed = await putOnDlq(JSON.stringify(metadataOnlyLetter('users-topic', 1, '3', '1')));
    const ours = (source: Record<string, unknown>, extra: Record<string, unknown>) => ({
      originalMessage: userEnvelope(5006),
      originalEncoding: 'utf8',
      source: { partition: 0, offset: '7', timestamp: 1, key: 'user-5006', topic: 'users-topic', ...source },
      error: { code: 'SCHEMA_VALIDATION', message: 'bad', issues: [] },
      failedAt: '2024-05-01T10:20:00.000Z',
      handler: 'users',
      ...extra,
    });
    dlq.elsewhere = await putOnDlq(JSON.stringify(ours({ topic: 'billing-topic' }, {})), 'user-5006');
    dlq.badBase64 = await putOnDlq(JSON.stringify(ours({}, { originalEncoding: 'base64', originalMessage: 'this is not base64!' })), 'user-5006');
    dlq.foreignText = await putOnDlq('hello from another application');
    dlq.foreignJson = await putOnDlq(JSON.stringify({ orderId: 7, note: 'someone else’s event' }));
  });

  afterAll(async () => {
    await producer.disconnect();
    await ports.close();
    await ts.stop();
  });

  it('inspect lists a Lambda on-failure record and foreign messages without crashing', async () => {
    // Act
    const { code, stdout, stderr } = await runDlqCli(['inspect'], ts.env);
    // Assess
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const range = `users-topic[1]@${originals.first}..${originals.first + 2n}`;
    expect(stdout).toContain(`#${dlq.metadataOnly}  users  RetryAttemptsExhausted  ${range}  Lambda on-failure record (function kcl-test-users, 11 attempt(s)): records to re-read from the source\n`);
    expect(stdout).toMatch(new RegExp(`#${dlq.embedded}  users  RetriesExhausted  users-topic\\[0\\]@\\d+  Lambda on-failure record \\(function kcl-test-users, 3 attempt\\(s\\)\\): 1 record\\(s\\) in the letter\\n`));
    expect(stdout).toContain(`#${dlq.foreignText}  -  UNKNOWN  -  not JSON: "hello from another application"\n`);
    expect(stdout).toContain(`#${dlq.foreignJson}  -  UNKNOWN  -  JSON of another shape: "{\\"orderId\\":7,`);
    expect(stdout).toContain('9 letter(s) in dlq-topic (3 HANDLER, 4 LAMBDA, 2 UNKNOWN).');
  });

  it('replaying a metadata-only Lambda record re-reads its original records, and the users handler writes them', async () => {
    // Act
    const { code, stdout, stderr } = await runDlqCli(['replay', '--offset', dlq.metadataOnly], ts.env);
    // Assess: the three originals are back on users-topic, byte for byte, traced to the letter.
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toBe(`#${dlq.metadataOnly}: sending 3 record(s) to users-topic (re-read from the source topic)\nreplayed 3 record(s) to users-topic\n`);
    const replayed = await replayedFrom(dlq.metadataOnly);
    expect(replayed.map(({ message }) => [message.key?.toString(), message.value?.toString()])).toEqual([5001, 5002, 5003].map((n) => [`user-${n}`, userEnvelope(n)]));
    // ...and the real users handler turns them into rows.
    const event = kafkaEvent(replayed.map(({ partition, message }) => ({ partition, offset: Number(message.offset), key: message.key?.toString() ?? null, value: message.value })));
    const summary = await processBatch(event, { table: 'users', requestId: 'replay-lambda', maxRecordBytes: 1_048_576, ports, logger: silentLogger });
    expect(summary).toMatchObject({ inserted: 3, sentToDlq: 0 });
    expect(await idsInClickHouse([5001, 5002, 5003])).toBe(3);
  });

  it("replays a Lambda record's embedded payload and a truncated letter re-read and checked by SHA-256", async () => {
    const { code, stdout, stderr } = await runDlqCli(['replay', '--offset', dlq.embedded, '--offset', dlq.truncated], ts.env);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain(`#${dlq.embedded}: sending 1 record(s) to users-topic (from the letter)\n`);
    expect(stdout).toContain(`#${dlq.truncated}: sending 1 record(s) to users-topic (re-read from the source topic)\n`);
    expect((await replayedFrom(dlq.embedded)).map(({ message }) => message.value?.toString())).toEqual([userEnvelope(5004)]);
    expect((await replayedFrom(dlq.truncated)).map(({ message }) => [message.key?.toString(), message.value?.toString()])).toEqual([['user-5005', userEnvelope(5005)]]);
  });

  it('an explicitly picked foreign message or a record no longer in its topic is explained, not replayed, exit 1', async () => {
    const { code, stdout, stderr } = await runDlqCli(['replay', '--offset', dlq.foreignText, '--offset', dlq.gone], ts.env);
    expect(code).toBe(1);
    expect(stderr).toContain(`#${dlq.foreignText}: cannot replay: not a dead letter this tool knows (not JSON), so it names no record to put back\n`);
    expect(stderr).toMatch(new RegExp(`#${dlq.gone}: cannot replay: 2 record\\(s\\) of users-topic\\[2\\]@900..901 are not in the topic: partition 2 ends before offset \\d+\\n`));
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stdout).toBe('Nothing to replay.\n');
  });

  it('refuses a reversed offset range, a topic outside the pipeline and base64 that is not, one line each, exit 1', async () => {
    // Act
    const { code, stdout, stderr } = await runDlqCli(['replay', '--offset', dlq.reversed, '--offset', dlq.elsewhere, '--offset', dlq.badBase64], ts.env);
    // Assess
    expect(code).toBe(1);
    const lines = stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines).toContain(`#${dlq.reversed}: cannot replay: its offset range users-topic[1]@3..1 is reversed (first after last), so it names no record; replay the records with --record TOPIC:PARTITION:OFFSET`);
    expect(lines).toContain(
      `#${dlq.elsewhere}: cannot replay: its records belong on "billing-topic", which is not a source topic of the pipeline (allowed: users-topic, products-topic, orders-topic; --allow-topic billing-topic sends there anyway)`,
    );
    expect(lines).toContain(`#${dlq.badBase64}: cannot replay: originalMessage is not valid base64 although originalEncoding is base64; fix it (or set originalEncoding to utf8) and replay with --file`);
    expect(stdout).toBe('Nothing to replay.\n');
    expect(await replayedFrom(dlq.badBase64)).toEqual([]);
  });

  it('--allow-topic lets a replay write to a topic the user names', async () => {
    const allowed = await runDlqCli(['replay', '--offset', dlq.elsewhere, '--allow-topic', 'billing-topic', '--dry-run'], ts.env);
    expect(allowed).toEqual({ code: 0, stderr: '', stdout: `#${dlq.elsewhere}: would send 1 record(s) to billing-topic (from the letter)\n` });
  });

  it('replay --all never picks a foreign message', async () => {
    const { stdout } = await runDlqCli(['replay', '--all', '--dry-run'], ts.env);
    expect(stdout).toContain(`#${dlq.metadataOnly}: would send 3 record(s) to users-topic (re-read from the source topic)\n`);
    expect(stdout).toContain('skipped 2 UNKNOWN message(s): they name no record to replay (pick one with --offset to see why).\n');
    expect(stdout).not.toContain(`#${dlq.foreignText}`);
  });
});
