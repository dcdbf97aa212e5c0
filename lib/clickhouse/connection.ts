import type { ClickHouseClient } from '@clickhouse/client';
import type { ClickHouseConfig } from '../config';
import { createClickHouseClientFor, resolveClickHouseCredentials, type ClickHouseCredentials } from './client';
import { classifyClickHouseError } from './errors';

interface OpenClient {
  readonly client: ClickHouseClient;
  readonly credentials: ClickHouseCredentials;
}

/**
 * The container's ClickHouse client, opened on first use. When ClickHouse refuses the
 * credentials (a rotated secret), it drops the client and the cached secret, reads the secret
 * again and retries the operation once; a second refusal is the caller's to report.
 */
export class ClickHouseConnection {
  private open: Promise<OpenClient> | undefined;

  constructor(
    readonly config: ClickHouseConfig,
    private readonly createClient: (config: ClickHouseConfig, credentials: ClickHouseCredentials) => ClickHouseClient = createClickHouseClientFor,
  ) {}

  /** Runs `operation` with the client; on an authentication failure, refreshes and retries once. */
  async run<T>(operation: (client: ClickHouseClient) => Promise<T>): Promise<T> {
    const first = await this.client();
    try {
      return await operation(first.client);
    } catch (error) {
      if (classifyClickHouseError(error) !== 'auth') throw error;
      await this.reset(first);
      return operation((await this.client({ refresh: true })).client);
    }
  }

  /** "ClickHouse at <url> (<where the url came from>)", never with credentials, for error messages. */
  async describe(): Promise<string> {
    try {
      const { credentials } = await this.client();
      return describeEndpoint(credentials.url, credentials.urlSource);
    } catch {
      return describeEndpoint(this.config.url, this.config.secretArn ? 'CLICKHOUSE_SECRET_ARN' : 'CLICKHOUSE_URL');
    }
  }

  async close(): Promise<void> {
    const open = this.open;
    this.open = undefined;
    if (open) await (await open.catch(() => undefined))?.client.close();
  }

  private client(options: { refresh?: boolean } = {}): Promise<OpenClient> {
    if (!this.open) {
      const opening = resolveClickHouseCredentials(this.config, options).then((credentials) => ({
        credentials,
        client: this.createClient(this.config, credentials),
      }));
      // A failed secret read must not stay cached: the next invocation tries again.
      opening.catch(() => {
        if (this.open === opening) this.open = undefined;
      });
      this.open = opening;
    }
    return this.open;
  }

  private async reset(stale: OpenClient): Promise<void> {
    if ((await this.open?.catch(() => undefined)) === stale) this.open = undefined;
    await stale.client.close().catch(() => undefined);
  }
}

const describeEndpoint = (url: string, source: string): string => {
  try {
    const u = new URL(url);
    return `ClickHouse at ${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname} (${source})`;
  } catch {
    return `ClickHouse (${source})`;
  }
};
