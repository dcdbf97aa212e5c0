import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
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

// Both packagings run in one test file, one after the other: they share the .esbuild work dir.
describe('npx sls package (offline)', () => {
  it('renders one MSK event source mapping per table function', async () => {
    // Act
    const { dir, resources } = await packageService([`clickhouseSecretArn=${CH_SECRET}`]);
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
});
