import type { ClickHouseClient } from '@clickhouse/client';
import type { ClickHouseConfig } from '../config';
import { createClickHouseClientFor, resolveClickHouseCredentials, type ClickHouseCredentials } from './client';
import { untilAborted } from '../deadline';
import { classifyClickHouseError } from './errors';

interface OpenClient {
  readonly client: ClickHouseClient;
  readonly credentials: ClickHouseCredentials;
  inFlight: number;
  retired: boolean;
}

/**
 * The container's ClickHouse client, opened on first use. When ClickHouse refuses the
 * credentials (a rotated secret), it retires the client, reads the secret again and retries the
 * operation once with a new client; a second refusal is the caller's to report. A retired client
 * is closed only when its last request has finished, so a refresh never breaks a request that
 * runs beside it (the background audit write and a batch share the connection).
 */
export class ClickHouseConnection {
  private opening: Promise<OpenClient> | undefined;
  private current: OpenClient | undefined;

  constructor(
    readonly config: ClickHouseConfig,
    createClient?: (config: ClickHouseConfig, credentials: ClickHouseCredentials) => ClickHouseClient,
  ) {
    this.createClient = createClient ?? createClickHouseClientFor;
  }

  private readonly createClient: (config: ClickHouseConfig, credentials: ClickHouseCredentials) => ClickHouseClient;

  /**
   * Runs `operation` with the client; on an authentication failure, refreshes and retries once.
   * When `signal` aborts, the operation is abandoned at once (the same signal, given to the
   * client's call, also cancels its request).
   */
  async run<T>(operation: (client: ClickHouseClient) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const first = await untilAborted(this.open(), signal);
    try {
      return await this.use(first, operation, signal);
    } catch (error) {
      if (classifyClickHouseError(error) !== 'auth') throw error;
      // Another operation may have refreshed already; otherwise this one does.
      if (this.current === first) this.retire(first);
      return this.use(await untilAborted(this.open({ refresh: true }), signal), operation, signal);
    }
  }

  /** "ClickHouse at <url> (<where the url came from>)", never with credentials, for error messages. */
  async describe(): Promise<string> {
    try {
      const { credentials } = await this.open();
      return describeEndpoint(credentials.url, credentials.urlSource);
    } catch {
      return describeEndpoint(this.config.url, this.config.secretArn ? 'CLICKHOUSE_SECRET_ARN' : 'CLICKHOUSE_URL');
    }
  }

  async close(): Promise<void> {
    const open = this.current ?? (await this.opening?.catch(() => undefined));
    this.opening = undefined;
    this.current = undefined;
    if (open) await open.client.close();
  }

  private async use<T>(open: OpenClient, operation: (client: ClickHouseClient) => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    open.inFlight += 1;
    try {
      return await untilAborted(operation(open.client), signal);
    } finally {
      open.inFlight -= 1;
      if (open.retired && open.inFlight === 0) void open.client.close().catch(() => undefined);
    }
  }

  private open(options: { refresh?: boolean } = {}): Promise<OpenClient> {
    if (!this.opening) {
      const opening = resolveClickHouseCredentials(this.config, options).then((credentials) => {
        const open: OpenClient = { credentials, client: this.createClient(this.config, credentials), inFlight: 0, retired: false };
        if (this.opening === opening) this.current = open;
        return open;
      });
      // A failed secret read must not stay cached: the next invocation tries again.
      opening.catch(() => {
        if (this.opening === opening) this.opening = undefined;
      });
      this.opening = opening;
    }
    return this.opening;
  }

  private retire(stale: OpenClient): void {
    this.opening = undefined;
    this.current = undefined;
    stale.retired = true;
    if (stale.inFlight === 0) void stale.client.close().catch(() => undefined);
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
