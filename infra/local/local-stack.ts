import { fork, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ClickHouseFault, ClickHouseRequestStats } from './clickhouse-http-server';
import type { MockPartitionLog } from './kafka-mock-log-caps';
import { STACK_PROCESS_SCRIPT, stackTokenArgument } from './stack-state';
import type { StackControl, StackControlResult, StackEndpoints, StackMessage, StackProcessOptions } from './protocol';

export const PROJECT_ROOT = resolve(__dirname, '..', '..');

/** Kafka protocol API keys used with {@link LocalStack.pushKafkaRequestErrors}. */
export const KafkaApiKey = { Produce: 0, Fetch: 1, ListOffsets: 2, Metadata: 3, OffsetCommit: 8, OffsetFetch: 9, FindCoordinator: 10, JoinGroup: 11, Heartbeat: 12, SyncGroup: 14, InitProducerId: 22 } as const;

export interface StartStackOptions extends Omit<StackProcessOptions, 'exitOnDisconnect'> {
  /** Keep running after this process exits (`npm run stack:up`); output goes to `logFile`. */
  readonly detached?: boolean;
  readonly logFile?: string;
  /** How long to wait for both servers to accept connections. */
  readonly readyTimeoutMs?: number;
  /** Put on the process's command line, so that `stack:down` can tell it from a process that reused its pid. */
  readonly token?: string;
}

/**
 * A running local stack: Kafka mock cluster (behind a proxy that enforces a real broker's limits)
 * + ClickHouse HTTP endpoint in a child process, with fault injection for reliability tests.
 * See docs/local-stack.md.
 */
export class LocalStack implements StackEndpoints {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (result: StackControlResult) => void; reject: (e: Error) => void }>();

  constructor(
    private readonly child: ChildProcess,
    readonly pid: number,
    /** The limits proxy's brokers: what every client uses. */
    readonly kafkaBrokers: string,
    readonly clickhouseUrl: string,
    /** The mock brokers themselves, without the limits (for comparisons and diagnostics only). */
    readonly kafkaMockBrokers: string = kafkaBrokers,
  ) {
    child.on('message', (message: StackMessage) => {
      if (message.type !== 'ack') return;
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error) waiter?.reject(new Error(message.error));
      else waiter?.resolve(message.result);
    });
  }

  async setClickHouseFault(fault: ClickHouseFault): Promise<void> {
    await this.control({ type: 'clickhouse-fault', fault });
  }

  /** Changes the ClickHouse user's password (a secret rotation on the server side). */
  async setClickHouseCredentials(user: string, password: string): Promise<void> {
    await this.control({ type: 'clickhouse-credentials', user, password });
  }

  /** Requests ClickHouse has served and the longest request line; `reset` starts a new count. */
  async clickHouseRequestStats(reset = false): Promise<ClickHouseRequestStats> {
    return (await this.control({ type: 'clickhouse-stats', reset })) as ClickHouseRequestStats;
  }

  async setKafkaBrokerDown(broker: number): Promise<void> {
    await this.control({ type: 'kafka-broker', broker, up: false });
  }

  async setKafkaBrokerUp(broker: number): Promise<void> {
    await this.control({ type: 'kafka-broker', broker, up: true });
  }

  async pushKafkaRequestErrors(apiKey: number, errorCodes: readonly number[]): Promise<void> {
    await this.control({ type: 'kafka-request-errors', apiKey, errorCodes });
  }

  async clearKafkaRequestErrors(apiKey: number): Promise<void> {
    await this.control({ type: 'kafka-clear-request-errors', apiKey });
  }

  /** Creates a topic (the mock has no controller, so `admin.createTopics` cannot). */
  async createKafkaTopic(topic: string, partitions = 1): Promise<void> {
    await this.control({ type: 'kafka-create-topic', topic, partitions });
  }

  /** Each partition's log caps and fill as the mock holds them (undefined: no such topic). */
  async kafkaPartitionLogs(topic: string): Promise<MockPartitionLog[] | undefined> {
    return ((await this.control({ type: 'kafka-partition-logs', topic })) as MockPartitionLog[] | undefined) ?? undefined;
  }

  /** Stops the stack process and waits until it has exited. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((done) => this.child.once('exit', () => done()));
    this.child.kill('SIGTERM');
    await exited;
  }

  /** Detaches from a `detached` stack so this process can exit while the stack runs on. */
  release(): void {
    if (this.child.connected) this.child.disconnect();
    this.child.unref();
  }

  private control(request: StackControl): Promise<StackControlResult> {
    const id = this.nextId++;
    return new Promise<StackControlResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ ...request, id });
    });
  }
}

/** The connection variables of a running stack, as `.local/stack.env` and tests hand them to every command. */
export function stackEnvironment(
  stack: StackEndpoints,
  clickhouse: { readonly database: string; readonly user: string; readonly password: string },
): Record<string, string> {
  return {
    KAFKA_BROKERS: stack.kafkaBrokers,
    // The mock broker reports no controller, which kafkajs's idempotent producer needs.
    KAFKA_IDEMPOTENT: 'false',
    CLICKHOUSE_URL: stack.clickhouseUrl,
    CLICKHOUSE_DB: clickhouse.database,
    CLICKHOUSE_USER: clickhouse.user,
    CLICKHOUSE_PASSWORD: clickhouse.password,
  };
}

/**
 * Starts the stack process and resolves once Kafka (through its limits proxy) and ClickHouse
 * (with `database` created) accept connections.
 *
 * @example
 * const stack = await startLocalStack({ dataDir: mkdtempSync(join(tmpdir(), 'stack-')), database: 'test' });
 * const kafka = new Kafka({ brokers: stack.kafkaBrokers.split(',') });
 * await stack.stop();
 */
export async function startLocalStack(options: StartStackOptions): Promise<LocalStack> {
  const { detached = false, logFile, readyTimeoutMs = 60_000, token, ...processOptions } = options;
  const log = logFile ? openSync(logFile, 'a') : undefined;
  const output = log ?? (detached ? 'ignore' : 'inherit');
  const childOptions: StackProcessOptions = { ...processOptions, exitOnDisconnect: !detached };
  const child = fork(STACK_PROCESS_SCRIPT, token === undefined ? [] : [stackTokenArgument(token)], {
    cwd: PROJECT_ROOT,
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, LOCAL_STACK_OPTIONS: JSON.stringify(childOptions) },
    stdio: ['ignore', output, output, 'ipc'],
    detached,
  });
  if (log !== undefined) closeSync(log);

  try {
    let timer: NodeJS.Timeout | undefined;
    const ready = await new Promise<Extract<StackMessage, { type: 'ready' }>>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`local stack did not become ready within ${readyTimeoutMs} ms`)), readyTimeoutMs);
      child.on('message', (message: StackMessage) => {
        if (message.type === 'ready') resolve(message);
        if (message.type === 'failed') reject(new Error(message.message));
      });
      child.once('exit', (code, signal) => reject(new Error(`local stack process exited during start-up (${signal ?? `code ${code}`})`)));
      child.once('error', reject);
    }).finally(() => clearTimeout(timer));
    return new LocalStack(child, ready.pid, ready.kafkaBrokers, ready.clickhouseUrl, ready.kafkaMockBrokers);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}
