import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { mockClient } from 'aws-sdk-client-mock';
import { KafkaApiKey } from '../../infra/local/local-stack';
import { loadConfig } from '../../lib/config';
import { ClickHouseWriteError, DeadLetterPublishError, TransientError } from '../../lib/errors';
import { createTableHandler, type TableHandler } from '../../lib/handler';
import { resetSecretCache } from '../../lib/secrets';
import { kafkaEvent, userEnvelope, userId } from '../support/events';
import { startTestStack, type TestStack } from '../support/test-stack';

/** A Lambda context with `remainingMs` left, as the runtime passes it. */
const lambdaContext = (id: string, remainingMs: number) => {
  const endsAt = Date.now() + remainingMs;
  return { awsRequestId: id, getRemainingTimeInMillis: () => endsAt - Date.now() };
};

let offset = 0;
const batchOf = (numbers: number[], poison: string[] = []) =>
  kafkaEvent([...numbers.map((n) => ({ offset: offset++, value: userEnvelope(n) })), ...poison.map((value) => ({ offset: offset++, value }))]);

describe('faults lose nothing, duplicate nothing, and every invocation ends in time', () => {
  let ts: TestStack;
  let handler: TableHandler;
  const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });
  const metrics = new Metrics({ namespace: 'test', serviceName: 'test' });
  const errors = jest.spyOn(logger, 'error');
  const counted = jest.spyOn(metrics, 'addMetric');

  beforeAll(async () => {
    ts = await startTestStack();
    handler = createTableHandler('users', { config: ts.config, logger, metrics });
  });

  afterEach(async () => {
    await ts.stack.setClickHouseFault({ kind: 'none' });
    for (const broker of [1, 2, 3]) await ts.stack.setKafkaBrokerUp(broker);
    await ts.stack.clearKafkaRequestErrors(KafkaApiKey.Produce);
    errors.mockClear();
    counted.mockClear();
  });

  afterAll(async () => {
    await handler.close();
    await ts.stop();
  });

  const rowsOf = async (ids: number[]) => {
    const [row] = await (
      await ts.clickhouse.query({ query: 'SELECT count() AS rows, uniqExact(id) AS ids FROM users WHERE id IN {ids:Array(UUID)}', query_params: { ids: ids.map(userId) }, format: 'JSONEachRow' })
    ).json<{ rows: string; ids: string }>();
    return { rows: Number(row!.rows), ids: Number(row!.ids) };
  };
  const failureWasLoggedAndCounted = () => {
    expect(errors).toHaveBeenCalledWith(expect.stringMatching(/^batch failed; it will be redelivered: /), expect.any(Error));
    expect(counted).toHaveBeenCalledWith('BatchFailures', 'Count', 1);
  };

  it('ClickHouse stalled with 10 s left: throws a TransientError within 10 s, logged and counted; then recovers exactly once', async () => {
    // Prepare: a client timeout longer than the Lambda has left, so only the deadline can save it.
    const patient = createTableHandler('users', { config: { ...ts.config, clickhouse: { ...ts.config.clickhouse, requestTimeoutMs: 60_000 } }, logger, metrics });
    await ts.stack.setClickHouseFault({ kind: 'stall' });
    const event = batchOf([101, 102, 103]);
    // Act
    const started = Date.now();
    const failed = await patient(event, lambdaContext('stall', 10_000)).catch((error: unknown) => error);
    const elapsed = Date.now() - started;
    // Assess
    expect(failed).toBeInstanceOf(TransientError);
    expect(elapsed).toBeLessThan(10_000);
    failureWasLoggedAndCounted();
    await ts.stack.setClickHouseFault({ kind: 'none' });
    await expect(patient(event, lambdaContext('stall-retry', 10_000))).resolves.toMatchObject({ inserted: 3 });
    expect(await rowsOf([101, 102, 103])).toEqual({ rows: 3, ids: 3 });
    await patient.close();
  });

  it.each([
    ['refusing connections', { kind: 'refuse' } as const],
    ['answering 503 / code 202 (overloaded)', { kind: 'fail', code: 202, status: 503 } as const],
    ['answering 500 / code 1002 (Cloud proxy)', { kind: 'fail', code: 1002 } as const],
    ['answering 500 / code 252 (too many parts)', { kind: 'fail', code: 252 } as const],
  ])('ClickHouse %s: transient, nothing dead-lettered; the redelivery writes every row once', async (_what, fault) => {
    const numbers = [200, 201, 202].map((n) => n + offset);
    const event = batchOf(numbers, ['not json']);
    const dlqBefore = await ts.topicSize('dlq-topic');
    await ts.stack.setClickHouseFault(fault);
    await expect(handler(event, lambdaContext('fault', 10_000))).rejects.toBeInstanceOf(TransientError);
    failureWasLoggedAndCounted();
    expect(await ts.topicSize('dlq-topic')).toBe(dlqBefore);
    await ts.stack.setClickHouseFault({ kind: 'none' });
    await expect(handler(event, lambdaContext('retry', 10_000))).resolves.toMatchObject({ inserted: 3, sentToDlq: 1 });
    await expect(handler(event, lambdaContext('again', 10_000))).resolves.toMatchObject({ inserted: 0, skippedDuplicates: 3, sentToDlq: 1 });
    expect(await rowsOf(numbers)).toEqual({ rows: 3, ids: 3 });
  });

  it('ClickHouse sends the lookup\'s headers, then its body stalls, with 10 s left: a TransientError within 10 s', async () => {
    // Prepare: an endpoint that answers 200 and the start of a body, then nothing; a client timeout
    // longer than the Lambda has left, so only the deadline can end the wait.
    const sockets = new Set<Socket>();
    const server = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'application/x-ndjson', 'X-ClickHouse-Format': 'JSONEachRow' });
      res.write('{"message_id":');
    });
    server.on('connection', (socket) => sockets.add(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const stalled = createTableHandler('users', { config: { ...ts.config, clickhouse: { ...ts.config.clickhouse, url, requestTimeoutMs: 60_000 } }, logger, metrics });
    // Act
    const started = Date.now();
    const failed = await stalled(batchOf([150, 151]), lambdaContext('body-stall', 10_000)).catch((error: unknown) => error);
    const elapsed = Date.now() - started;
    // Assess
    expect(failed).toBeInstanceOf(TransientError);
    expect((failed as Error).message).toMatch(/look up processed_events: the request timed out/);
    expect(elapsed).toBeLessThan(10_000);
    failureWasLoggedAndCounted();
    await stalled.close();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('a Kafka broker that accepts connections and never answers, poison in the batch, 10 s left: a DeadLetterPublishError within 10 s', async () => {
    // Prepare
    const sockets = new Set<Socket>();
    const blackHole = createNetServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', () => resolve()));
    const broker = `127.0.0.1:${(blackHole.address() as AddressInfo).port}`;
    const silent = createTableHandler('users', { config: { ...ts.config, kafka: { ...ts.config.kafka, brokers: [broker] } }, logger, metrics });
    // Act
    const started = Date.now();
    const failed = await silent(batchOf([160 + offset], ['{poison']), lambdaContext('black-hole', 10_000)).catch((error: unknown) => error);
    const elapsed = Date.now() - started;
    // Assess
    expect(failed).toBeInstanceOf(DeadLetterPublishError);
    expect(elapsed).toBeLessThan(10_000);
    failureWasLoggedAndCounted();
    for (const socket of sockets) socket.destroy();
    await silent.close();
    await new Promise((resolve) => blackHole.close(resolve));
  });

  it('a rotated ClickHouse password: the warm handler re-reads the secret and recovers on its next invocation', async () => {
    // Prepare: the handler reads its credentials from Secrets Manager (mocked), the server has them.
    resetSecretCache();
    const secrets = mockClient(SecretsManagerClient);
    const secretFor = (password: string) => ({ SecretString: JSON.stringify({ url: ts.stack.clickhouseUrl, username: 'default', password }) });
    secrets.on(GetSecretValueCommand).resolves(secretFor('before-rotation'));
    await ts.stack.setClickHouseCredentials('default', 'before-rotation');
    const config = loadConfig({ ...ts.env, CLICKHOUSE_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:ch', CLICKHOUSE_PASSWORD: '' });
    const rotating = createTableHandler('users', { config, logger, metrics });
    try {
      await expect(rotating(batchOf([300]), lambdaContext('warm-up', 10_000))).resolves.toMatchObject({ inserted: 1 });
      await rotating.close();
      // Act: the secret rotates (server and Secrets Manager), the container stays warm.
      await ts.stack.setClickHouseCredentials('default', 'after-rotation');
      secrets.on(GetSecretValueCommand).resolves(secretFor('after-rotation'));
      const summary = await rotating(batchOf([301]), lambdaContext('after-rotation', 10_000));
      // Assess
      expect(summary).toMatchObject({ inserted: 1 });
      expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    } finally {
      await ts.stack.setClickHouseCredentials('default', '');
      await rotating.close();
      secrets.restore();
      resetSecretCache();
    }
  });

  it('wrong ClickHouse credentials that no re-read fixes: one clear ClickHouseWriteError, nothing written', async () => {
    const wrong = createTableHandler('users', { config: { ...ts.config, clickhouse: { ...ts.config.clickhouse, password: 'wrong' } }, logger, metrics });
    const failed = await wrong(batchOf([350]), lambdaContext('wrong', 10_000)).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(ClickHouseWriteError);
    expect((failed as Error).message).toMatch(/^ClickHouse at http:\/\/127\.0\.0\.1:\d+ \(CLICKHOUSE_URL\): could not look up processed_events: .*Authentication failed/);
    await wrong.close();
  });

  it('Kafka down before any connection: a clean batch is written anyway (the DLQ producer is not needed)', async () => {
    const fresh = createTableHandler('users', { config: ts.config, logger, metrics });
    for (const broker of [1, 2, 3]) await ts.stack.setKafkaBrokerDown(broker);
    await expect(fresh(batchOf([400, 401]), lambdaContext('clean', 10_000))).resolves.toMatchObject({ inserted: 2, sentToDlq: 0 });
    await fresh.close();
  });

  it.each([
    ['before the DLQ producer connected', false],
    ['after it connected', true],
  ])('Kafka down %s with poison in the batch: throws in time, rows kept; the redelivery stores the letter', async (_when, connectFirst) => {
    const kafkaHandler = createTableHandler('users', { config: ts.config, logger, metrics });
    if (connectFirst) await kafkaHandler(batchOf([], ['{broken']), lambdaContext('connect', 10_000));
    const numbers = [500 + offset];
    const event = batchOf(numbers, ['{also broken']);
    for (const broker of [1, 2, 3]) await ts.stack.setKafkaBrokerDown(broker);
    const started = Date.now();
    const failed = await kafkaHandler(event, lambdaContext('down', 8_000)).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(DeadLetterPublishError);
    expect(Date.now() - started).toBeLessThan(8_000);
    failureWasLoggedAndCounted();
    for (const broker of [1, 2, 3]) await ts.stack.setKafkaBrokerUp(broker);
    const dlqBefore = await ts.topicSize('dlq-topic');
    await expect(kafkaHandler(event, lambdaContext('up', 30_000))).resolves.toMatchObject({ inserted: 0, skippedDuplicates: 1, sentToDlq: 1 });
    expect(await ts.topicSize('dlq-topic')).toBe(dlqBefore + 1);
    expect(await rowsOf(numbers)).toEqual({ rows: 1, ids: 1 });
    await kafkaHandler.close();
  });

  it('the broker answers MESSAGE_TOO_LARGE: letters are rebuilt smaller and published, the partition never wedges', async () => {
    // Prepare: the next produce requests fail as a broker with a lower message.max.bytes would.
    await ts.stack.pushKafkaRequestErrors(KafkaApiKey.Produce, [10, 10]);
    const before = await ts.topicSize('dlq-topic');
    // Act
    const summary = await handler(batchOf([600 + offset], [`{"big": "${'x'.repeat(200_000)}`]), lambdaContext('too-large', 20_000));
    // Assess
    expect(summary).toMatchObject({ inserted: 1, sentToDlq: 1 });
    const [letter] = (await ts.readMessages('dlq-topic')).slice(before);
    expect(letter!.value!.length).toBeLessThan(70_000);
    expect(JSON.parse(letter!.value!.toString())).toMatchObject({ error: { code: 'INVALID_JSON' }, originalTruncated: true, originalBytes: 200_009 });
  });
});
