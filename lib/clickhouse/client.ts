import type { ClickHouseClient } from '@clickhouse/client';
import type { ClickHouseConfig } from '../config';
import { forgetSecret, getJsonSecret } from '../secrets';

export interface ClickHouseCredentials {
  readonly url: string;
  readonly username: string;
  readonly password: string;
  /** Where the URL came from, for error messages: `CLICKHOUSE_URL` or the secret. */
  readonly urlSource: string;
}

/**
 * Credentials from `CLICKHOUSE_SECRET_ARN` (JSON `{url?, username, password}`) when set, else
 * from the environment. The secret's `url` wins over `CLICKHOUSE_URL`. `refresh` re-reads the
 * secret (after ClickHouse refused the cached credentials).
 */
export async function resolveClickHouseCredentials(config: ClickHouseConfig, options: { refresh?: boolean } = {}): Promise<ClickHouseCredentials> {
  if (!config.secretArn) return { url: config.url, username: config.user, password: config.password, urlSource: 'CLICKHOUSE_URL' };
  if (options.refresh) forgetSecret(config.secretArn);
  const secret = await getJsonSecret(config.secretArn, 'CLICKHOUSE_SECRET_ARN');
  const text = (name: string): string | undefined => (typeof secret[name] === 'string' ? (secret[name] as string) : undefined);
  const url = text('url');
  return {
    url: url ?? config.url,
    username: text('username') ?? config.user,
    password: text('password') ?? '',
    urlSource: url ? 'the url of CLICKHOUSE_SECRET_ARN' : 'CLICKHOUSE_URL',
  };
}

/** One HTTP client per container; gzip both ways keeps large batches cheap on the wire. */
export function createClickHouseClientFor(config: ClickHouseConfig, credentials: ClickHouseCredentials): ClickHouseClient {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { ClickHouseLogLevel, createClient } = require('@clickhouse/client') as typeof import('@clickhouse/client');
  return createClient({
    url: credentials.url,
    username: credentials.username,
    password: credentials.password,
    database: config.database,
    request_timeout: config.requestTimeoutMs,
    compression: { request: true, response: true },
    application: 'kafka-clickhouse-lambda',
    // Failures are classified and logged by their callers; the client's own error lines would duplicate them.
    log: { level: ClickHouseLogLevel.OFF },
  });
}

/** A client for tools (migrations, CLIs, tests) with the configured credentials. */
export async function createClickHouseClient(config: ClickHouseConfig): Promise<ClickHouseClient> {
  return createClickHouseClientFor(config, await resolveClickHouseCredentials(config));
}
