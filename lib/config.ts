import * as z from 'zod/mini';
import './schemas/zod-messages';
import { readEnvironment, type Env } from './environment';
import { ConfigError } from './errors';

export { parseEnvFile, readEnvironment, STACK_ENV_FILE, type Env } from './environment';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

const bool = (fallback: boolean) =>
  z.pipe(
    z._default(z.enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' }), fallback ? 'true' : 'false'),
    z.transform((v: 'true' | 'false' | '1' | '0' | 'yes' | 'no'): boolean => v === 'true' || v === '1' || v === 'yes'),
  );

const integer = (fallback: number, min: number, max: number) => z._default(z.coerce.number().check(z.int(), z.minimum(min), z.maximum(max)), fallback);
const count = (fallback: number) => integer(fallback, 0, 10_000_000);
const text = () => z.string().check(z.minLength(1));
const identifier = () => z.string().check(z.regex(IDENTIFIER, 'must be a plain identifier'));

const EnvSchema = z.object({
  KAFKA_BROKERS: z.pipe(
    z._default(z.string(), 'localhost:9094'),
    z.pipe(
      z.transform((list: string) => list.split(',').map((b) => b.trim()).filter(Boolean)),
      z.array(z.string()).check(
        z.refine((list: string[]) => list.length > 0 && list.every((b) => /^[^\s:]+:\d{1,5}$/.test(b)), { message: 'must be a comma-separated list of host:port' }),
      ),
    ),
  ),
  KAFKA_AUTH: z._default(z.enum(['none', 'iam', 'scram-sha-512']), 'none'),
  KAFKA_SSL: bool(false),
  KAFKA_SECRET_ARN: z.optional(text()),
  KAFKA_ROOT_CA_SECRET_ARN: z.optional(text()),
  KAFKA_CLIENT_CERT_SECRET_ARN: z.optional(text()),
  KAFKA_IDEMPOTENT: bool(true),
  KAFKA_CLIENT_ID: z._default(text(), 'kafka-clickhouse-lambda'),
  AWS_REGION: z.optional(text()),
  CLICKHOUSE_URL: z._default(z.url({ protocol: /^https?$/ }), 'http://localhost:8123'),
  CLICKHOUSE_DB: z._default(identifier(), 'test'),
  CLICKHOUSE_USER: z._default(text(), 'default'),
  CLICKHOUSE_PASSWORD: z._default(z.string(), ''),
  CLICKHOUSE_SECRET_ARN: z.optional(text()),
  CLICKHOUSE_CLUSTER: z.optional(identifier()),
  CLICKHOUSE_REQUEST_TIMEOUT_MS: integer(30_000, 100, 900_000),
  DLQ_TOPIC: z._default(text(), 'dlq-topic'),
  // At least room for a letter's metadata; at most what a default broker accepts in one batch.
  DLQ_MAX_MESSAGE_BYTES: integer(262_144, 16_384, 1_000_000),
  DEAD_LETTERS_TTL_DAYS: integer(30, 1, 36_500),
  MAX_RECORD_BYTES: integer(1_048_576, 1, Number.MAX_SAFE_INTEGER),
  LOG_LEVEL: z._default(z.enum(['trace', 'debug', 'info', 'warn', 'error', 'silent', 'critical']), 'info'),
  LOG_DIR: z.optional(text()),
  PRODUCER_USERS_COUNT: count(10),
  PRODUCER_PRODUCTS_COUNT: count(10),
  PRODUCER_ORDERS_COUNT: count(20),
  PRODUCER_INVALID_RATE: z._default(z.coerce.number().check(z.minimum(0), z.maximum(1)), 0),
  PRODUCER_SEED: z.optional(z.coerce.number().check(z.int())),
  IS_LOCAL: z.optional(z.string()),
  IS_OFFLINE: z.optional(z.string()),
});

/** Every variable the configuration reads (`.env.example` must list the same ones). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(EnvSchema.shape);

export type KafkaAuth = 'none' | 'iam' | 'scram-sha-512';

export interface KafkaConfig {
  readonly brokers: readonly string[];
  readonly auth: KafkaAuth;
  readonly ssl: boolean;
  readonly secretArn?: string;
  /** Secrets Manager secret with the private root CA (`{certificate}`), as the event source uses. */
  readonly rootCaSecretArn?: string;
  /** Secrets Manager secret with the mTLS client certificate (`{certificate, privateKey, privateKeyPassword?}`). */
  readonly clientCertSecretArn?: string;
  readonly idempotent: boolean;
  readonly clientId: string;
  readonly region?: string;
}

export interface ClickHouseConfig {
  readonly url: string;
  readonly database: string;
  readonly user: string;
  readonly password: string;
  readonly secretArn?: string;
  readonly cluster?: string;
  readonly requestTimeoutMs: number;
  /** TTL of the `dead_letters` table, applied by migrations. */
  readonly deadLettersTtlDays: number;
}

export interface ProducerConfig {
  readonly users: number;
  readonly products: number;
  readonly orders: number;
  readonly invalidRate: number;
  readonly seed?: number;
}

export interface Config {
  readonly kafka: KafkaConfig;
  readonly clickhouse: ClickHouseConfig;
  readonly dlqTopic: string;
  /** Cap of one dead letter on the DLQ topic. */
  readonly dlqMaxMessageBytes: number;
  readonly maxRecordBytes: number;
  readonly logLevel: string;
  readonly logDir?: string;
  readonly producer: ProducerConfig;
  /**
   * Running under `sls invoke local`, which waits for the event loop to empty where Lambda would
   * freeze the container: handlers release their connections after each invocation.
   */
  readonly invokeLocal: boolean;
}

const deepFreeze = <T extends object>(value: T): T => {
  for (const child of Object.values(value)) if (child && typeof child === 'object') deepFreeze(child);
  return Object.freeze(value);
};

/**
 * Parses the environment into a frozen, typed configuration. Pure: pass `process.env` (or a
 * test's object). Empty strings count as unset. Throws {@link ConfigError} naming the first bad
 * variable.
 */
export function loadConfig(env: Env): Config {
  const input: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined && value !== '') input[name] = value;
  if (input.KAFKA_BROKERS === undefined && input.KAFKA_BROKER !== undefined) input.KAFKA_BROKERS = input.KAFKA_BROKER;

  const parsed = EnvSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    const shown = variable === 'CLICKHOUSE_PASSWORD' ? '' : ` (got ${JSON.stringify(input[variable] ?? '')})`;
    throw new ConfigError(variable, `${issue.message}${shown}`);
  }
  const e = parsed.data;
  if (e.KAFKA_AUTH === 'scram-sha-512' && !e.KAFKA_SECRET_ARN) {
    throw new ConfigError('KAFKA_SECRET_ARN', 'is required when KAFKA_AUTH=scram-sha-512');
  }
  return deepFreeze({
    kafka: {
      brokers: e.KAFKA_BROKERS,
      auth: e.KAFKA_AUTH,
      ssl: e.KAFKA_SSL || e.KAFKA_AUTH === 'iam',
      secretArn: e.KAFKA_SECRET_ARN,
      rootCaSecretArn: e.KAFKA_ROOT_CA_SECRET_ARN,
      clientCertSecretArn: e.KAFKA_CLIENT_CERT_SECRET_ARN,
      idempotent: e.KAFKA_IDEMPOTENT,
      clientId: e.KAFKA_CLIENT_ID,
      region: e.AWS_REGION,
    },
    clickhouse: {
      url: e.CLICKHOUSE_URL,
      database: e.CLICKHOUSE_DB,
      user: e.CLICKHOUSE_USER,
      password: e.CLICKHOUSE_PASSWORD,
      secretArn: e.CLICKHOUSE_SECRET_ARN,
      cluster: e.CLICKHOUSE_CLUSTER,
      requestTimeoutMs: e.CLICKHOUSE_REQUEST_TIMEOUT_MS,
      deadLettersTtlDays: e.DEAD_LETTERS_TTL_DAYS,
    },
    dlqTopic: e.DLQ_TOPIC,
    dlqMaxMessageBytes: e.DLQ_MAX_MESSAGE_BYTES,
    maxRecordBytes: e.MAX_RECORD_BYTES,
    logLevel: e.LOG_LEVEL,
    logDir: e.LOG_DIR,
    invokeLocal: e.IS_LOCAL === 'true' && e.IS_OFFLINE !== 'true',
    producer: {
      users: e.PRODUCER_USERS_COUNT,
      products: e.PRODUCER_PRODUCTS_COUNT,
      orders: e.PRODUCER_ORDERS_COUNT,
      invalidRate: e.PRODUCER_INVALID_RATE,
      seed: e.PRODUCER_SEED,
    },
  });
}

let cached: Config | undefined;

/**
 * The process-wide configuration, parsed once (at cold start in Lambda) from the process
 * environment over `.env` over `.local/stack.env` (see `lib/environment.ts`).
 */
export function getConfig(): Config {
  cached ??= loadConfig(readEnvironment());
  return cached;
}
