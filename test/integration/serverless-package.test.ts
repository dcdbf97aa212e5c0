import { execFile, spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { loadFixture } from '../support/events';
import { startTestStack, testProducer } from '../support/test-stack';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(__dirname, '..', '..');

interface Resource { Type: string; DependsOn?: string[]; Properties: Record<string, any> }
interface Template { dir: string; resources: Record<string, Resource>; outputs: Record<string, unknown> }
interface Statement { Effect: string; Action: string[]; Resource: unknown }

/** Packages the service offline (no AWS credentials) into a temp dir and returns its template. */
async function packageService(params: string[], stage = 'dev'): Promise<Template> {
  const dir = mkdtempSync(join(tmpdir(), 'sls-package-'));
  // Connection settings come from the shell; the rendering under test must not depend on it.
  const env: NodeJS.ProcessEnv = { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' };
  for (const name of ['KAFKA_BROKERS', 'KAFKA_AUTH', 'KAFKA_SSL', 'KAFKA_SECRET_ARN', 'KAFKA_IDEMPOTENT', 'CLICKHOUSE_URL', 'CLICKHOUSE_DB', 'CLICKHOUSE_SECRET_ARN', 'MSK_CLUSTER_ARN', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_PROFILE']) delete env[name];
  await promisify(execFile)('npx', ['sls', 'package', '--stage', stage, '--package', dir, ...params.map((p) => `--param=${p}`)], { cwd: ROOT, env });
  const template = JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8'));
  return { dir, resources: template.Resources, outputs: template.Outputs };
}

const CH_SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:kafka-clickhouse-lambda/clickhouse-AbCdEf';
const SCRAM_SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:AmazonMSK_scram-AbCdEf';
const CA_SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:kafka-root-ca-AbCdEf';
const CERT_SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:kafka-client-cert-AbCdEf';
const CLUSTER = 'arn:aws:kafka:eu-west-1:123456789012:cluster/prod-cluster/11111111-2222-3333-4444-555555555555-1';
const topicArn = (name: string) => CLUSTER.replace(':cluster/', ':topic/') + `/${name}`;
const TABLE_FUNCTIONS = ['Users', 'Products', 'Orders'];

// The DLQ producer's brokers: `aws kafka get-bootstrap-brokers` lists them per auth mode.
const MSK_BROKERS = (port: number) => `kafkaBrokers=b-1.prod-cluster.abc123.c2.kafka.eu-west-1.amazonaws.com:${port},b-2.prod-cluster.abc123.c2.kafka.eu-west-1.amazonaws.com:${port}`;
const MSK_IAM = [`clickhouseSecretArn=${CH_SECRET}`, `mskClusterArn=${CLUSTER}`, 'kafkaAuth=iam', MSK_BROKERS(9098), 'functionSubnetIds=subnet-fn1,subnet-fn2', 'functionSecurityGroupIds=sg-fn'];
const KMS_KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
// MSK only accepts SCRAM secrets encrypted with a customer-managed key.
const MSK_SCRAM = [`clickhouseSecretArn=${CH_SECRET}`, `mskClusterArn=${CLUSTER}`, 'kafkaAuth=scram-sha-512', MSK_BROKERS(9096), `kafkaSecretArn=${SCRAM_SECRET}`, `secretsKmsKeyArns=${KMS_KEY}`];
const SELF_MANAGED = [
  `clickhouseSecretArn=${CH_SECRET}`,
  'sourceKind=kafka',
  'kafkaBrokers=kafka-1.internal:9096,kafka-2.internal:9096',
  'kafkaAuth=scram-sha-512',
  `kafkaSecretArn=${SCRAM_SECRET}`,
  'vpcSubnetIds=subnet-aaa,subnet-bbb',
  'vpcSecurityGroupId=sg-123',
  `serverRootCaSecretArn=${CA_SECRET}`,
  `clientCertificateSecretArn=${CERT_SECRET}`,
];
const DLQ_AFTER_RETRIES = ['failurePolicy=dlq-after-retries', 'alarmEmail=ops@example.com'];

/** Every source kind with both failure policies; the last one in prod, where the producer is off. */
const RENDERS = {
  mskIam: { params: MSK_IAM, stage: 'dev' },
  mskIamDlq: { params: [...MSK_IAM, ...DLQ_AFTER_RETRIES], stage: 'dev' },
  mskScram: { params: MSK_SCRAM, stage: 'dev' },
  mskScramDlq: { params: [...MSK_SCRAM, ...DLQ_AFTER_RETRIES], stage: 'dev' },
  selfManaged: { params: SELF_MANAGED, stage: 'dev' },
  selfManagedDlqProd: { params: [...SELF_MANAGED, ...DLQ_AFTER_RETRIES], stage: 'prod' },
};
type RenderName = keyof typeof RENDERS;

const ofType = (t: Template, type: string) => Object.entries(t.resources).filter(([, r]) => r.Type === type);
const mappings = (t: Template) => ofType(t, 'AWS::Lambda::EventSourceMapping').map(([, r]) => r);
const statements = (t: Template, fn: string): Statement[] => t.resources[`${fn}ExecutionRole`]!.Properties.Policies[0].PolicyDocument.Statement;
const grants = (t: Template, fn: string, action: string) => statements(t, fn).filter((s) => s.Action.includes(action)).flatMap((s) => [s.Resource].flat());
const env = (t: Template, fn: string): Record<string, string> => t.resources[`${fn}LambdaFunction`]!.Properties.Environment.Variables;

/** Logical ids a template refers to: Ref, Fn::GetAtt, DependsOn and ${…} in Fn::Sub. */
function references(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => references(v, found));
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'Ref' && typeof v === 'string') found.add(v);
      else if (key === 'Fn::GetAtt') found.add((v as string[])[0]!);
      else if (key === 'DependsOn') [v].flat().forEach((id) => found.add(id as string));
      else if (key === 'Fn::Sub' && typeof v === 'string') for (const [, id] of v.matchAll(/\$\{([A-Za-z0-9]+)(\.[A-Za-z]+)?\}/g)) found.add(id!);
      else references(v, found);
    }
  }
  return found;
}

// All packagings run in this one test file, one after the other: they share the .esbuild work dir.
describe('npx sls package (offline)', () => {
  const rendered = {} as Record<RenderName, Template>;

  beforeAll(async () => {
    for (const [name, { params, stage }] of Object.entries(RENDERS)) rendered[name as RenderName] = await packageService(params, stage);
  }, 600_000);

  afterAll(() => {
    for (const { dir } of Object.values(rendered)) rmSync(dir, { recursive: true, force: true });
  });

  describe.each(Object.keys(RENDERS) as RenderName[])('%s', (name) => {
    it('gives every function its own execution role and renders no shared one', () => {
      const t = rendered[name];
      expect(t.resources).not.toHaveProperty('IamRoleLambdaExecution');
      const functions = ofType(t, 'AWS::Lambda::Function');
      expect(functions.length).toBe(name === 'selfManagedDlqProd' ? 3 : 4);
      for (const [id, fn] of functions) {
        const role = id.replace(/LambdaFunction$/, 'ExecutionRole');
        expect(fn.Properties.Role).toEqual({ 'Fn::GetAtt': [role, 'Arn'] });
        expect(t.resources[role]!.Type).toBe('AWS::IAM::Role');
      }
      for (const esm of mappings(t)) {
        const fn = esm.Properties.FunctionName['Fn::GetAtt'][0] as string;
        expect(esm.DependsOn).toContain(fn.replace(/LambdaFunction$/, 'ExecutionRole'));
      }
    });

    it('maps each table function to its topic and never diverts records for their age', () => {
      const esms = mappings(rendered[name]);
      expect(esms.map((m) => m.Properties.Topics[0]).sort()).toEqual(['orders-topic', 'products-topic', 'users-topic']);
      for (const m of esms) {
        expect(m.Properties).toMatchObject({ StartingPosition: 'TRIM_HORIZON', BatchSize: 1000, MaximumBatchingWindowInSeconds: 5 });
        expect(m.Properties).not.toHaveProperty('MaximumRecordAgeInSeconds');
      }
    });

    it('renders 18 alarms and a dashboard, and refers only to resources of the template', () => {
      const t = rendered[name];
      expect(ofType(t, 'AWS::CloudWatch::Alarm')).toHaveLength(18);
      expect(ofType(t, 'AWS::CloudWatch::Dashboard')).toHaveLength(1);
      const missing = [...references({ resources: t.resources, outputs: t.outputs })].filter((id) => !id.startsWith('AWS::') && !(id in t.resources));
      expect(missing).toEqual([]);
    });

    it('gives the table functions the DLQ settings and the TLS and secrets of the event source', () => {
      const t = rendered[name];
      const expectedCa = name.startsWith('selfManaged') ? CA_SECRET : '';
      for (const fn of TABLE_FUNCTIONS) {
        expect(env(t, fn)).toMatchObject({ CLICKHOUSE_SECRET_ARN: CH_SECRET, DLQ_TOPIC: 'dlq-topic', DLQ_MAX_MESSAGE_BYTES: '262144', KAFKA_SSL: 'true', KAFKA_ROOT_CA_SECRET_ARN: expectedCa });
        expect(Object.keys(env(t, fn))).not.toContain('CLICKHOUSE_PASSWORD');
      }
      if (t.resources.ProducerLambdaFunction) expect(Object.keys(env(t, 'Producer'))).not.toContain('CLICKHOUSE_SECRET_ARN');
    });
  });

  it('MSK IAM: msk events with their own consumer groups; each role reads only its topic, the producer writes the source topics', () => {
    const t = rendered.mskIam;
    for (const m of mappings(t)) {
      expect(m.Properties.EventSourceArn).toBe(CLUSTER);
      expect(m.Properties.AmazonManagedKafkaEventSourceConfig.ConsumerGroupId).toMatch(/^kafka-clickhouse-lambda-dev-(users|products|orders)$/);
    }
    expect(grants(t, 'Users', 'kafka-cluster:ReadData')).toEqual([topicArn('users-topic')]);
    expect(grants(t, 'Users', 'kafka-cluster:WriteData')).toEqual([topicArn('dlq-topic')]);
    expect(grants(t, 'Users', 'kafka-cluster:WriteDataIdempotently')).toEqual([CLUSTER]);
    // Lambda's MSK event source with IAM auth: the six actions of "Configuring Amazon MSK event
    // sources for Lambda" (https://docs.aws.amazon.com/lambda/latest/dg/with-msk-configure.html).
    expect(grants(t, 'Users', 'kafka-cluster:Connect')).toEqual([CLUSTER]);
    expect(grants(t, 'Users', 'kafka-cluster:DescribeClusterDynamicConfiguration')).toEqual([CLUSTER]);
    expect(grants(t, 'Users', 'kafka-cluster:DescribeGroup')).toEqual([CLUSTER.replace(':cluster/', ':group/') + '/kafka-clickhouse-lambda-dev-users']);
    expect(grants(t, 'Users', 'kafka-cluster:AlterGroup')).toEqual([CLUSTER.replace(':cluster/', ':group/') + '/kafka-clickhouse-lambda-dev-users']);
    expect(grants(t, 'Users', 'kafka-cluster:DescribeTopic').sort()).toEqual([topicArn('dlq-topic'), topicArn('users-topic')]);
    // The DLQ producer dials the stage's brokers, never lib/config.ts's localhost default.
    expect(env(t, 'Users')).toMatchObject({ KAFKA_AUTH: 'iam', KAFKA_BROKERS: MSK_BROKERS(9098).slice('kafkaBrokers='.length) });
    expect(grants(t, 'Users', 'kafka:DescribeClusterV2')).toEqual([CLUSTER]);
    expect(grants(t, 'Producer', 'kafka-cluster:WriteData')).toEqual([topicArn('users-topic'), topicArn('products-topic'), topicArn('orders-topic')]);
    expect(grants(t, 'Producer', 'kafka-cluster:ReadData')).toEqual([]);
    expect(grants(t, 'Producer', 'secretsmanager:GetSecretValue')).toEqual([]);
  });

  it('puts the functions in the VPC that reaches the brokers only when the stage names one', () => {
    for (const fn of [...TABLE_FUNCTIONS, 'Producer']) {
      expect(rendered.mskIam.resources[`${fn}LambdaFunction`]!.Properties.VpcConfig).toEqual({ SubnetIds: ['subnet-fn1', 'subnet-fn2'], SecurityGroupIds: ['sg-fn'] });
      expect(grants(rendered.mskIam, fn, 'ec2:AssignPrivateIpAddresses')).toEqual(['*']);
      expect(rendered.mskScram.resources[`${fn}LambdaFunction`]!.Properties).not.toHaveProperty('VpcConfig');
    }
  });

  it.each(['mskIamDlq', 'mskScramDlq', 'selfManagedDlqProd'] as RenderName[])('%s: provisioned-mode mappings with a retry limit, a Kafka on-failure destination, metrics and logs', (name) => {
    const t = rendered[name];
    // Lambda writes kafka://dlq-topic as the function: with IAM auth its role may (kafka-on-failure.html).
    if (name === 'mskIamDlq') {
      expect(grants(t, 'Users', 'kafka-cluster:WriteData')).toEqual([topicArn('dlq-topic')]);
      expect(grants(t, 'Users', 'kafka-cluster:WriteDataIdempotently')).toEqual([CLUSTER]);
    }
    expect(Object.keys(t.resources)).toEqual(expect.arrayContaining(['UsersKafkaEventSourceMapping', 'ProductsKafkaEventSourceMapping', 'OrdersKafkaEventSourceMapping']));
    for (const m of mappings(t)) {
      expect(m.Properties).toMatchObject({
        MaximumRetryAttempts: 10,
        BisectBatchOnFunctionError: true,
        DestinationConfig: { OnFailure: { Destination: 'kafka://dlq-topic' } },
        ProvisionedPollerConfig: { MinimumPollers: 1, MaximumPollers: 3 },
        MetricsConfig: { Metrics: ['EventCount', 'ErrorCount', 'KafkaMetrics'] },
        LoggingConfig: { SystemLogLevel: 'WARN' },
      });
    }
    // alarmEmail: one topic, subscribed, notified by every alarm.
    expect(t.resources.AlarmNotificationTopic!.Properties.Subscription).toEqual([{ Protocol: 'email', Endpoint: 'ops@example.com' }]);
    for (const [, alarm] of ofType(t, 'AWS::CloudWatch::Alarm')) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: 'AlarmNotificationTopic' }]);
  });

  it('without alarmEmail or alarmTopicArn, alarms notify nobody', () => {
    for (const [, alarm] of ofType(rendered.mskScram, 'AWS::CloudWatch::Alarm')) expect(alarm.Properties).not.toHaveProperty('AlarmActions');
    expect(rendered.mskScram.resources).not.toHaveProperty('AlarmNotificationTopic');
  });

  it('MSK SCRAM: the events authenticate with the secret, which each role may read with the ClickHouse one', () => {
    const t = rendered.mskScram;
    for (const m of mappings(t)) expect(m.Properties.SourceAccessConfigurations).toEqual([{ Type: 'SASL_SCRAM_512_AUTH', URI: SCRAM_SECRET }]);
    for (const fn of TABLE_FUNCTIONS) expect(grants(t, fn, 'secretsmanager:GetSecretValue')).toEqual([CH_SECRET, SCRAM_SECRET]);
    for (const fn of [...TABLE_FUNCTIONS, 'Producer']) expect(grants(t, fn, 'kms:Decrypt')).toEqual([KMS_KEY]);
    expect(statements(t, 'Users').flatMap((s) => s.Action).filter((a) => a.startsWith('kafka-cluster:'))).toEqual([]);
  });

  it.each(['selfManaged', 'selfManagedDlqProd'] as RenderName[])('%s: SCRAM, VPC, private root CA and client certificate on the mappings and in the roles', (name) => {
    const t = rendered[name];
    for (const m of mappings(t)) {
      expect(m.Properties.SelfManagedEventSource.Endpoints.KafkaBootstrapServers).toEqual(['kafka-1.internal:9096', 'kafka-2.internal:9096']);
      expect(m.Properties.SourceAccessConfigurations).toEqual(
        expect.arrayContaining([
          { Type: 'SASL_SCRAM_512_AUTH', URI: SCRAM_SECRET },
          { Type: 'VPC_SUBNET', URI: 'subnet:subnet-aaa' },
          { Type: 'VPC_SUBNET', URI: 'subnet:subnet-bbb' },
          { Type: 'VPC_SECURITY_GROUP', URI: 'security_group:sg-123' },
          { Type: 'SERVER_ROOT_CA_CERTIFICATE', URI: CA_SECRET },
          { Type: 'CLIENT_CERTIFICATE_TLS_AUTH', URI: CERT_SECRET },
        ]),
      );
    }
    for (const fn of TABLE_FUNCTIONS) {
      expect(grants(t, fn, 'secretsmanager:GetSecretValue')).toEqual([CH_SECRET, SCRAM_SECRET, CA_SECRET, CERT_SECRET]);
      expect(env(t, fn)).toMatchObject({ KAFKA_CLIENT_CERT_SECRET_ARN: CERT_SECRET, KAFKA_SECRET_ARN: SCRAM_SECRET });
    }
    expect(grants(t, 'Users', 'ec2:CreateNetworkInterface')).toEqual(['*']);
  });

  it('prod deploys no producer: no function, role, log group or output for it', () => {
    const t = rendered.selfManagedDlqProd;
    for (const id of ['ProducerLambdaFunction', 'ProducerExecutionRole', 'ProducerLogGroup']) expect(t.resources).not.toHaveProperty(id);
    expect(t.outputs).not.toHaveProperty('ProducerFunctionName');
    expect(readdirSync(t.dir).filter((f) => f.endsWith('.zip')).sort()).toEqual(['orders.zip', 'products.zip', 'users.zip']);
    expect(rendered.mskIam.resources).toHaveProperty('ProducerLambdaFunction');
  });

  it('sets reserved concurrency and the timeout, and outputs the function names and the dashboard', () => {
    const t = rendered.mskIam;
    expect(t.resources.UsersLambdaFunction!.Properties.ReservedConcurrentExecutions).toBe(10);
    expect(t.resources.UsersLambdaFunction!.Properties.Timeout).toBe(60);
    expect(t.outputs.UsersFunctionName).toEqual({ Value: { Ref: 'UsersLambdaFunction' } });
    expect(t.outputs.DashboardName).toEqual({ Value: { Ref: 'Dashboard' } });
    for (const fn of ['users', 'products', 'orders']) expect(statSync(join(t.dir, `${fn}.zip`)).size).toBeLessThan(1.5 * 1024 * 1024);
  });

  it('each handler bundle handles a fixture event with no AWS credentials, reading ClickHouse credentials from a mocked secret', async () => {
    // Prepare: unpack the bundles inside the project so their external @aws-sdk/* resolve (the Lambda runtime provides them).
    const ts = await startTestStack();
    const unpacked = mkdtempSync(join(ROOT, '.bundle-test-'));
    const savedEnv = { ...process.env };
    const defaultPackage = rendered.mskIam;
    const secrets = mockClient(SecretsManagerClient);
    secrets.on(GetSecretValueCommand, { SecretId: CH_SECRET }).resolves({ SecretString: JSON.stringify({ url: ts.stack.clickhouseUrl, username: 'default', password: '' }) });
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'CLICKHOUSE_URL', 'CLICKHOUSE_PASSWORD']) delete process.env[name];
    Object.assign(process.env, { AWS_REGION: 'eu-west-1', CLICKHOUSE_SECRET_ARN: CH_SECRET, CLICKHOUSE_DB: 'test', KAFKA_BROKERS: ts.stack.kafkaBrokers, KAFKA_IDEMPOTENT: 'false', LOG_LEVEL: 'silent' });
    try {
      // users: a mixed batch, so the DLQ producer loads kafkajs from the zip's deferred/ folder.
      const fixtures: Record<string, [string, number]> = { users: ['msk-users-mixed.json', 2], products: ['self-managed-products.json', 2], orders: ['msk-orders.json', 2] };
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
      expect(await ts.topicSize('dlq-topic')).toBe(5);
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
    // LOG_DIR empty: the handlers' log files would otherwise land in the repository's logs/.
    const env: NodeJS.ProcessEnv = { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off', ...ts.env, LOG_LEVEL: 'info', LOG_DIR: '', POWERTOOLS_METRICS_DISABLED: 'true' };
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
