import { execFile, spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { loadFixture } from '../support/events';
import { startTestStack, testProducer } from '../support/test-stack';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(__dirname, '..', '..');

interface Resource { Type: string; Properties: Record<string, any> }

/** Packages the service offline (no AWS credentials) into a temp dir and returns its template. */
async function packageService(params: string[]): Promise<{ dir: string; resources: Record<string, Resource> }> {
  const dir = mkdtempSync(join(tmpdir(), 'sls-package-'));
  // Connection settings come from the shell; the rendering under test must not depend on it.
  const env: NodeJS.ProcessEnv = { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' };
  for (const name of ['KAFKA_BROKERS', 'KAFKA_AUTH', 'KAFKA_SECRET_ARN', 'CLICKHOUSE_URL', 'CLICKHOUSE_DB', 'CLICKHOUSE_SECRET_ARN', 'MSK_CLUSTER_ARN', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_PROFILE']) delete env[name];
  await promisify(execFile)('npx', ['sls', 'package', '--package', dir, ...params.map((p) => `--param=${p}`)], { cwd: ROOT, env });
  const template = JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8'));
  return { dir, resources: template.Resources };
}

const CH_SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:kafka-clickhouse-lambda/clickhouse-AbCdEf';
const CLUSTER = 'arn:aws:kafka:eu-west-1:123456789012:cluster/prod-cluster/11111111-2222-3333-4444-555555555555-1';

/** The role's statements, minus the log-group ones every function has. */
const statements = (resources: Record<string, Resource>): Array<{ Effect: string; Action: string[]; Resource: string[] }> =>
  resources.IamRoleLambdaExecution!.Properties.Policies[0].PolicyDocument.Statement.filter(
    (s: { Action: string[] }) => !s.Action.every((a) => a.startsWith('logs:')),
  ).map((s: { Effect: string; Action: string[]; Resource: string | string[] }) => ({ ...s, Resource: [s.Resource].flat() }));

const mappings = (resources: Record<string, Resource>) =>
  Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping').map((r) => r.Properties);

// All packagings run in this one test file, one after the other: they share the .esbuild work dir.
describe('npx sls package (offline)', () => {
  let defaultPackage: { dir: string; resources: Record<string, Resource> };

  beforeAll(async () => {
    defaultPackage = await packageService([`clickhouseSecretArn=${CH_SECRET}`]);
  });

  it('renders one MSK event source mapping per table function', async () => {
    // Act
    const { dir, resources } = defaultPackage;
    // Assess
    const esms = mappings(resources);
    expect(esms.map((m) => m.Topics[0]).sort()).toEqual(['orders-topic', 'products-topic', 'users-topic']);
    for (const m of esms) {
      expect(m).toMatchObject({ StartingPosition: 'TRIM_HORIZON', BatchSize: 1000, MaximumBatchingWindowInSeconds: 5 });
      expect(m.EventSourceArn).toMatch(/^arn:aws:kafka:/);
      expect(m.AmazonManagedKafkaEventSourceConfig.ConsumerGroupId).toMatch(/^kafka-clickhouse-lambda-dev-(users|products|orders)$/);
    }
    for (const fn of ['users', 'products', 'orders']) expect(statSync(join(dir, `${fn}.zip`)).size).toBeLessThan(1.5 * 1024 * 1024);
    const env = resources.UsersLambdaFunction!.Properties.Environment.Variables;
    expect(env).toMatchObject({ CLICKHOUSE_SECRET_ARN: CH_SECRET });
    expect(Object.keys(env)).not.toContain('CLICKHOUSE_PASSWORD');
    // Secrets Manager access is limited to the configured secret; nothing grants "*" actions.
    const granted = statements(resources);
    expect(granted).toContainEqual({ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: [CH_SECRET] });
    for (const s of granted) expect(s.Action).not.toContain('*');
    expect(granted.flatMap((s) => s.Action).filter((a) => a.startsWith('kafka-cluster:'))).toEqual([]);
  });

  it('grants MSK IAM data-plane access only to the source topics, the DLQ topic and its own groups', async () => {
    const { resources } = await packageService([`clickhouseSecretArn=${CH_SECRET}`, `mskClusterArn=${CLUSTER}`, 'kafkaAuth=iam']);
    const byAction = (action: string) => statements(resources).filter((s) => s.Action.includes(action)).flatMap((s) => s.Resource);
    const topic = (name: string) => CLUSTER.replace(':cluster/', ':topic/') + `/${name}`;
    expect(byAction('kafka-cluster:Connect')).toEqual([CLUSTER]);
    expect(byAction('kafka-cluster:ReadData').sort()).toEqual([topic('orders-topic'), topic('products-topic'), topic('users-topic')]);
    expect(byAction('kafka-cluster:WriteData')).toEqual([topic('dlq-topic')]);
    expect(byAction('kafka-cluster:AlterGroup')).toEqual([CLUSTER.replace(':cluster/', ':group/') + '/kafka-clickhouse-lambda-dev-*']);
  });

  it('renders self-managed Kafka mappings with SCRAM and VPC access when the stage asks', async () => {
    const { resources } = await packageService([
      'sourceKind=kafka',
      'kafkaBrokers=kafka-1.internal:9096,kafka-2.internal:9096',
      'kafkaAuth=scram-sha-512',
      'kafkaSecretArn=arn:aws:secretsmanager:eu-west-1:123456789012:secret:AmazonMSK_scram',
      'vpcSubnetIds=subnet-aaa,subnet-bbb',
      'vpcSecurityGroupId=sg-123',
    ]);
    const esms = mappings(resources);
    expect(esms).toHaveLength(3);
    for (const m of esms) {
      expect(m.SelfManagedEventSource.Endpoints.KafkaBootstrapServers).toEqual(['kafka-1.internal:9096', 'kafka-2.internal:9096']);
      expect(m.SourceAccessConfigurations).toEqual(
        expect.arrayContaining([
          { Type: 'SASL_SCRAM_512_AUTH', URI: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:AmazonMSK_scram' },
          { Type: 'VPC_SUBNET', URI: 'subnet:subnet-aaa' },
          { Type: 'VPC_SUBNET', URI: 'subnet:subnet-bbb' },
          { Type: 'VPC_SECURITY_GROUP', URI: 'security_group:sg-123' },
        ]),
      );
    }
  });

  it('renders provisioned-mode mappings with retry limits, bisection and a Kafka on-failure destination', async () => {
    const { resources } = await packageService([`clickhouseSecretArn=${CH_SECRET}`, 'failurePolicy=dlq-after-retries', 'maxRetryAttempts=5']);
    const esms = mappings(resources);
    expect(esms).toHaveLength(3);
    for (const m of esms) {
      expect(m).toMatchObject({
        MaximumRetryAttempts: 5,
        MaximumRecordAgeInSeconds: 21600,
        BisectBatchOnFunctionError: true,
        DestinationConfig: { OnFailure: { Destination: 'kafka://dlq-topic' } },
        ProvisionedPollerConfig: { MinimumPollers: 1, MaximumPollers: 3 },
        BatchSize: 1000,
      });
    }
    // Without serverless events the role gets the cluster permissions from infra/aws/iam.js.
    expect(statements(resources)).toContainEqual(expect.objectContaining({ Action: ['kafka:DescribeCluster', 'kafka:DescribeClusterV2', 'kafka:GetBootstrapBrokers'] }));
    expect(Object.keys(resources)).toEqual(expect.arrayContaining(['UsersKafkaEventSourceMapping', 'ProductsKafkaEventSourceMapping', 'OrdersKafkaEventSourceMapping']));
  });

  it('sets reserved concurrency and outputs the function names', () => {
    const template = JSON.parse(readFileSync(join(defaultPackage.dir, 'cloudformation-template-update-stack.json'), 'utf8'));
    expect(defaultPackage.resources.UsersLambdaFunction!.Properties.ReservedConcurrentExecutions).toBe(10);
    expect(template.Outputs.UsersFunctionName.Value).toEqual({ Ref: 'UsersLambdaFunction' });
  });

  it('each handler bundle handles a fixture event with no AWS credentials, reading ClickHouse credentials from a mocked secret', async () => {
    // Prepare: unpack the bundles inside the project so their external @aws-sdk/* resolve (the Lambda runtime provides them).
    const ts = await startTestStack();
    const unpacked = mkdtempSync(join(ROOT, '.bundle-test-'));
    const savedEnv = { ...process.env };
    const secrets = mockClient(SecretsManagerClient);
    secrets.on(GetSecretValueCommand, { SecretId: CH_SECRET }).resolves({ SecretString: JSON.stringify({ url: ts.stack.clickhouseUrl, username: 'default', password: '' }) });
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'CLICKHOUSE_URL', 'CLICKHOUSE_PASSWORD']) delete process.env[name];
    Object.assign(process.env, { AWS_REGION: 'eu-west-1', CLICKHOUSE_SECRET_ARN: CH_SECRET, CLICKHOUSE_DB: 'test', KAFKA_BROKERS: ts.stack.kafkaBrokers, KAFKA_IDEMPOTENT: 'false', LOG_LEVEL: 'silent' });
    try {
      const fixtures: Record<string, [string, number]> = { users: ['msk-users.json', 3], products: ['self-managed-products.json', 2], orders: ['msk-orders.json', 2] };
      for (const [fn, [fixture, expected]] of Object.entries(fixtures)) {
        await promisify(execFile)('unzip', ['-q', '-o', join(defaultPackage.dir, `${fn}.zip`), '-d', join(unpacked, fn)]);
        // Act
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { handler } = require(join(unpacked, fn, 'functions', `${fn}.js`)) as { handler: ((e: unknown, c: object) => Promise<{ inserted: number }>) & { close(): Promise<void> } };
        const summary = await handler(loadFixture(fixture), { awsRequestId: `bundle-${fn}` });
        await handler.close();
        // Assess
        expect(summary.inserted).toBe(expected);
        expect(await ts.counts(fn)).toEqual({ rows: expected, ids: expected });
      }
      expect(secrets.commandCalls(GetSecretValueCommand).length).toBeGreaterThanOrEqual(3);
    } finally {
      process.env = savedEnv;
      secrets.restore();
      rmSync(unpacked, { recursive: true, force: true });
      await ts.stop();
    }
  });

  it('npx sls offline start polls the topics and runs the handlers into ClickHouse', async () => {
    // Prepare
    const ts = await startTestStack();
    const [httpPort, lambdaPort, websocketPort] = await Promise.all([freePort(), freePort(), freePort()]);
    const env: NodeJS.ProcessEnv = { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off', ...ts.env, LOG_LEVEL: 'info', POWERTOOLS_METRICS_DISABLED: 'true' };
    const offline = spawn('npx', ['sls', 'offline', 'start', '--httpPort', String(httpPort), '--lambdaPort', String(lambdaPort), '--websocketPort', String(websocketPort)], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    const waitFor = (pattern: RegExp, what: string) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`sls offline: no ${what} within 90 s:\n${output.slice(-3000)}`)), 90_000);
        const check = () => pattern.test(output) && (clearTimeout(timer), resolve());
        offline.stdout.on('data', check);
        offline.once('exit', (code) => (clearTimeout(timer), reject(new Error(`sls offline exited (${code}):\n${output.slice(-3000)}`))));
        check();
      });
    offline.stdout.on('data', (chunk) => (output += chunk));
    offline.stderr.on('data', (chunk) => (output += chunk));
    try {
      await waitFor(/kafka event source: polling[^\n]*"function":"orders"/, 'polling for orders');
      const producer = await testProducer(ts.kafka);
      const fixture = loadFixture('msk-orders.json');
      const messages = Object.values(fixture.records).flat().map((r) => ({ key: Buffer.from(r.key!, 'base64'), value: Buffer.from(r.value!, 'base64') }));
      // Act
      await producer.send({ topic: 'orders-topic', acks: -1, messages });
      await producer.disconnect();
      // Assess: the emulator logs each successful invocation.
      await waitFor(/invocation succeeded[^\n]*"function":"orders"/, 'orders invocation');
      expect(await ts.counts('orders')).toEqual({ rows: 2, ids: 2 });
    } finally {
      if (offline.exitCode === null) {
        const exited = new Promise((resolve) => offline.once('exit', resolve));
        process.kill(-offline.pid!, 'SIGTERM');
        await exited;
      }
      await ts.stop();
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
