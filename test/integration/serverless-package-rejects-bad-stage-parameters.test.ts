import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const SLS = join(ROOT, 'node_modules', 'serverless', 'bin', 'serverless.js');
const CLUSTER = 'arn:aws:kafka:eu-west-1:123456789012:cluster/prod-cluster/11111111-2222-3333-4444-555555555555-1';
const BROKERS = 'kafkaBrokers=b-1.prod-cluster.example:9098,b-2.prod-cluster.example:9098';

interface Outcome { readonly code: number | null; readonly stdout: string; readonly stderr: string; readonly packaged: boolean }

/** `sls package` offline, with none of the shell's connection settings; a bad stage fails before esbuild runs. */
function slsPackage(params: readonly string[]): Promise<Outcome> {
  const dir = mkdtempSync(join(tmpdir(), 'sls-bad-stage-'));
  const env: NodeJS.ProcessEnv = { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' };
  for (const name of ['KAFKA_BROKERS', 'KAFKA_AUTH', 'KAFKA_SSL', 'KAFKA_SECRET_ARN', 'KAFKA_IDEMPOTENT', 'CLICKHOUSE_URL', 'CLICKHOUSE_DB', 'CLICKHOUSE_SECRET_ARN', 'MSK_CLUSTER_ARN', 'LOG_LEVEL']) delete env[name];
  const args = [SLS, 'package', '--stage', 'dev', '--package', dir, `--param=mskClusterArn=${CLUSTER}`, ...params.map((p) => `--param=${p}`)];
  return new Promise((done) => {
    execFile(process.execPath, args, { cwd: ROOT, env, timeout: 60_000 }, (error, stdout, stderr) => {
      const packaged = existsSync(join(dir, 'cloudformation-template-update-stack.json'));
      rmSync(dir, { recursive: true, force: true });
      done({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr, packaged });
    });
  });
}

// One packaging per failure class: each ends with status 1, packages nothing and says it once.
describe('npx sls package refuses a bad stage with one line naming the parameter', () => {
  it.each([
    ['a missing parameter the DLQ producer needs', [], 'kafkaBrokers', `is required: the DLQ producer of every table function connects to these host:port bootstrap brokers; for sourceKind=msk run \`aws kafka get-bootstrap-brokers --cluster-arn ${CLUSTER}\``],
    ['no ClickHouse secret for the deployed functions', [BROKERS], 'clickhouseSecretArn', 'is required to deploy: the ARN of a Secrets Manager secret holding'],
    ['a value of the wrong type', [BROKERS, 'dlqMaxMessageBytes=abc'], 'dlqMaxMessageBytes', 'must be an integer from 16384 to 1000000 (got "abc")'],
    ['a value outside its enum', [BROKERS, 'kafkaSsl=maybe'], 'kafkaSsl', 'must be true or false (also 1/0, yes/no) (or empty) (got "maybe")'],
    ['a cross-field conflict', [BROKERS, 'dlqTopic=orders-topic'], 'dlqTopic', 'must not be a source topic (users-topic, products-topic, orders-topic) (got "orders-topic")'],
    ['an auth mode the source kind cannot use', ['sourceKind=kafka', 'kafkaBrokers=k1:9096', 'kafkaAuth=iam'], 'kafkaAuth', 'must be none or scram-sha-512 when sourceKind=kafka'],
    ['a misspelt parameter name serverless would ignore', [BROKERS, 'functionTimout=10'], 'functionTimout', 'is not known (did you mean functionTimeout?)'],
    ['an empty value serverless itself cannot read', ['kafkaBrokers='], 'kafkaBrokers', 'has no value in --param="kafkaBrokers="'],
  ])('%s', async (_class, params, param, detail) => {
    // Act
    const outcome = await slsPackage(params);
    // Assess
    const mentions = `${outcome.stdout}\n${outcome.stderr}`.split('\n').filter((line) => line.includes('stage parameter'));
    expect({ code: outcome.code, packaged: outcome.packaged, mentions: mentions.length }).toEqual({ code: 1, packaged: false, mentions: 1 });
    expect(outcome.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(mentions[0]!.startsWith(`error: stage parameter ${param} ${detail}`)).toBe(true);
  }, 60_000);
});
