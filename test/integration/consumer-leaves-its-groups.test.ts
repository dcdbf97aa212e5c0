import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONSUMER_SERVICE, localMappings } from '../../infra/demo/local-functions';
import { PROJECT_ROOT } from '../../infra/local/local-stack';
import { KafkaEventSourceEmulator } from '../../infra/serverless-offline-kafka/emulator';
import { silentLogger } from '../support/fakes';
import { startTestStack, testProducer, type TestStack } from '../support/test-stack';

/** `npm run consumer` as a child process, with what it printed so far and a way to wait for a line. */
function startConsumer(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/cli/consumer-cli.ts'], { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk) => (output.stdout += chunk));
  child.stderr.on('data', (chunk) => (output.stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const printed = async (pattern: RegExp) => {
    const deadline = Date.now() + 60_000;
    while (!pattern.test(output.stdout)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`no ${pattern} in:\n${output.stdout}\n${output.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  return { child, output, exited, printed };
}

describe('npm run consumer', () => {
  let ts: TestStack;
  let logDir: string;

  beforeAll(async () => {
    ts = await startTestStack();
    logDir = mkdtempSync(join(tmpdir(), 'consumer-logs-'));
  });

  afterAll(async () => {
    await ts.stop();
    rmSync(logDir, { recursive: true, force: true });
  });

  it('consumes through the handlers until SIGINT, then leaves its groups so that the next member joins within seconds', async () => {
    // Prepare
    const { child: consumer, output, exited, printed } = startConsumer({ ...ts.env, LOG_DIR: logDir });
    await printed(/Consuming; Ctrl-C stops\./);
    const producer = await testProducer(ts.kafka);
    await producer.send({ topic: 'users-topic', acks: -1, messages: [{ key: 'bad', value: '{"not": "a user"}' }] });
    await producer.disconnect();
    // Act
    await printed(/users +users-topic\[\d\] +0\.\.0 +1 record\(s\): 0 inserted, 0 skipped, 1 to DLQ/);
    consumer.kill('SIGINT');
    const code = await exited;
    const rejoinStarted = Date.now();
    const next = new KafkaEventSourceEmulator({
      kafka: ts.kafkaOptions,
      logger: silentLogger,
      mappings: localMappings(CONSUMER_SERVICE, ts.config.kafka.brokers).map((m) => ({ ...m, handler: async () => 'ok' })),
    });
    await next.start();
    const rejoinMs = Date.now() - rejoinStarted;
    await next.stop();
    // Assess: a member that left lets the group re-form within the 6 s session; one that just
    // vanished would hold it for a session and a rebalance (over 10 s on the local mock).
    expect({ code, stderr: output.stderr }).toEqual({ code: 0, stderr: '' });
    expect(output.stdout).toContain('Stopped; left the consumer groups.');
    expect(rejoinMs).toBeLessThan(7_000);
    expect(existsSync(join(logDir, 'users.log'))).toBe(true);
    expect(readFileSync(join(logDir, 'users.log'), 'utf8')).toContain('"message":"batch processed"');
  });

  it('says when it loses the brokers and when they are back, instead of going quiet', async () => {
    const { child: consumer, output, exited, printed } = startConsumer({ ...ts.env, LOG_DIR: logDir });
    try {
      await printed(/Consuming; Ctrl-C stops\./);
      for (const broker of [1, 2, 3]) await ts.stack.setKafkaBrokerDown(broker);
      await printed(/Lost the Kafka brokers at [\d.:,]+ \(KAFKA_BROKERS\): .+ Retrying until they answer; is the local stack running\?/);
      for (const broker of [1, 2, 3]) await ts.stack.setKafkaBrokerUp(broker);
      await printed(/Kafka answers again; consuming\./);
    } finally {
      for (const broker of [1, 2, 3]) await ts.stack.setKafkaBrokerUp(broker);
      consumer.kill('SIGINT');
    }
    expect({ code: await exited, stderr: output.stderr }).toEqual({ code: 0, stderr: '' });
    expect(output.stdout.match(/Lost the Kafka brokers/g)).toHaveLength(1);
  });
});
