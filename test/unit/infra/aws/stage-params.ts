import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const ROOT = join(__dirname, '..', '..', '..', '..');

// The renderers are the CommonJS files serverless loads, untyped: required, not imported.
export const stage = require(join(ROOT, 'infra/aws/stage.js'));
export const eventSources = require(join(ROOT, 'infra/aws/event-sources.js'));
export const roles = require(join(ROOT, 'infra/aws/roles.js'));
export const alarms = require(join(ROOT, 'infra/aws/alarms.js'));
export const dashboard = require(join(ROOT, 'infra/aws/dashboard.js'));
export const resources = require(join(ROOT, 'infra/aws/resources.js'));
export const environment = require(join(ROOT, 'infra/aws/environment.js'));

export type Raw = Record<string, string | number>;
export interface Statement { Effect: string; Action: string[]; Resource: unknown }
export interface Resource { Type: string; DependsOn?: string[]; Properties: Record<string, any> }

export const CLUSTER = 'arn:aws:kafka:eu-west-1:123456789012:cluster/prod-cluster/11111111-2222-3333-4444-555555555555-1';
export const CH_SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:clickhouse-AbCdEf';
export const SCRAM_SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:AmazonMSK_scram-AbCdEf';
export const CA_SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:kafka-root-ca-AbCdEf';
export const CERT_SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:kafka-client-cert-AbCdEf';
export const topicArn = (name: string) => `${CLUSTER.replace(':cluster/', ':topic/')}/${name}`;
export const groupArn = (name: string) => `${CLUSTER.replace(':cluster/', ':group/')}/${name}`;

/**
 * The stage parameters exactly as serverless.yml defines them for `stage` (its default block, then
 * the stage's block), with `${env:NAME, 'fallback'}` taken as an empty shell environment would.
 */
export function stageParams(stageName = 'dev', overrides: Raw = {}): Raw {
  const params = parse(readFileSync(join(ROOT, 'serverless.yml'), 'utf8')).params as Record<string, Raw>;
  const resolve = (value: string | number) =>
    typeof value === 'string' ? value.replace(/\$\{env:[A-Z_]+, '([^']*)'\}/g, '$1').replace(/\$\{sls:stage\}/g, stageName) : value;
  const merged = { ...params.default, ...(params[stageName] ?? {}) };
  const raw: Raw = { service: 'kafka-clickhouse-lambda', stage: stageName };
  for (const [name, value] of Object.entries(merged)) raw[name] = resolve(value);
  return { ...raw, ...overrides };
}

/** MSK's IAM bootstrap brokers: the one connection parameter serverless.yml cannot default. */
export const MSK_BROKERS = 'b-1.prod-cluster.abc123.c2.kafka.eu-west-1.amazonaws.com:9098,b-2.prod-cluster.abc123.c2.kafka.eu-west-1.amazonaws.com:9098';

/** The validated settings of a stage, with parameter overrides (and MSK brokers unless they override them). */
export const settings = (overrides: Raw = {}, stageName = 'dev') => stage.parseStageSettings(stageParams(stageName, { kafkaBrokers: MSK_BROKERS, clickhouseSecretArn: CH_SECRET, ...overrides }));

export const MSK_IAM: Raw = { sourceKind: 'msk', mskClusterArn: CLUSTER, kafkaAuth: 'iam', kafkaBrokers: MSK_BROKERS, clickhouseSecretArn: CH_SECRET };
export const MSK_SCRAM: Raw = { sourceKind: 'msk', mskClusterArn: CLUSTER, kafkaAuth: 'scram-sha-512', kafkaBrokers: MSK_BROKERS, kafkaSecretArn: SCRAM_SECRET, clickhouseSecretArn: CH_SECRET };
export const SELF_MANAGED: Raw = {
  sourceKind: 'kafka',
  kafkaBrokers: 'kafka-1.internal:9096,kafka-2.internal:9096',
  kafkaAuth: 'scram-sha-512',
  kafkaSecretArn: SCRAM_SECRET,
  vpcSubnetIds: 'subnet-aaa,subnet-bbb',
  vpcSecurityGroupId: 'sg-123',
  serverRootCaSecretArn: CA_SECRET,
  clientCertificateSecretArn: CERT_SECRET,
  clickhouseSecretArn: CH_SECRET,
};

/** Statements that grant `action`, with their resources as a flat list. */
export const grants = (statements: Statement[], action: string): unknown[] =>
  statements.filter((s) => s.Action.includes(action)).flatMap((s) => [s.Resource].flat());
