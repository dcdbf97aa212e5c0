import type { ClickHouseFault } from './clickhouse-http-server';

/** Options the parent hands to the stack process (as JSON in `LOCAL_STACK_OPTIONS`). */
export interface StackProcessOptions {
  readonly dataDir: string;
  readonly clickhousePort?: number;
  readonly clickhouseUser?: string;
  readonly clickhousePassword?: string;
  readonly kafkaBrokers?: number;
  readonly topics?: Readonly<Record<string, number>>;
  /** Stop when the parent's IPC channel closes (tests); a detached `stack:up` keeps running. */
  readonly exitOnDisconnect?: boolean;
}

export interface StackEndpoints {
  readonly kafkaBrokers: string;
  readonly clickhouseUrl: string;
}

export type StackControl =
  | { readonly type: 'clickhouse-fault'; readonly fault: ClickHouseFault }
  | { readonly type: 'clickhouse-credentials'; readonly user: string; readonly password: string }
  | { readonly type: 'clickhouse-stats'; readonly reset: boolean }
  | { readonly type: 'kafka-broker'; readonly broker: number; readonly up: boolean }
  | { readonly type: 'kafka-request-errors'; readonly apiKey: number; readonly errorCodes: readonly number[] }
  | { readonly type: 'kafka-clear-request-errors'; readonly apiKey: number };

export type StackRequest = StackControl & { readonly id: number };

export type StackMessage =
  | ({ readonly type: 'ready'; readonly pid: number } & StackEndpoints)
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'ack'; readonly id: number; readonly error?: string; readonly data?: unknown };
