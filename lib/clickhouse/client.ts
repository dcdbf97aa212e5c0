import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import type { ClickHouseConfig } from '../config';
import { getJsonSecret } from '../secrets';

export interface ClickHouseCredentials {
  readonly url: string;
  readonly username: string;
  readonly password: string;
}

/**
 * Credentials from `CLICKHOUSE_SECRET_ARN` (JSON `{url?, username, password}`) when set, else
 * from the environment. The secret's `url` wins over `CLICKHOUSE_URL`.
 */
export async function resolveClickHouseCredentials(config: ClickHouseConfig): Promise<ClickHouseCredentials> {
  if (!config.secretArn) return { url: config.url, username: config.user, password: config.password };
  const secret = await getJsonSecret(config.secretArn, 'CLICKHOUSE_SECRET_ARN');
  const text = (name: string, fallback: string) => (typeof secret[name] === 'string' ? (secret[name] as string) : fallback);
  return { url: text('url', config.url), username: text('username', config.user), password: text('password', '') };
}

/** One HTTP client per container; gzip both ways keeps large batches cheap on the wire. */
export async function createClickHouseClient(config: ClickHouseConfig): Promise<ClickHouseClient> {
  const credentials = await resolveClickHouseCredentials(config);
  return createClient({
    url: credentials.url,
    username: credentials.username,
    password: credentials.password,
    database: config.database,
    request_timeout: config.requestTimeoutMs,
    compression: { request: true, response: true },
    application: 'kafka-clickhouse-lambda',
    clickhouse_settings: { date_time_input_format: 'best_effort' },
    // Failures are classified and logged by the writer; the client's own error lines would duplicate them.
    log: { level: ClickHouseLogLevel.OFF },
  });
}
