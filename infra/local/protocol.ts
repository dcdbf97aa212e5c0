import type { ClickHouseFault, ClickHouseRequestStats } from './clickhouse-http-server';
import type { KafkaLogCaps, MockPartitionLog } from './kafka-mock-log-caps';
import type { KafkaBrokerLimits } from './kafka-produce-limits';

/** Options the parent hands to the stack process (as JSON in `LOCAL_STACK_OPTIONS`). */
export interface StackProcessOptions {
  readonly dataDir: string;
  readonly clickhousePort?: number;
  readonly clickhouseUser?: string;
  readonly clickhousePassword?: string;
  /** Database created at start, as the ClickHouse Docker image creates `CLICKHOUSE_DB` (default `test`). */
  readonly database?: string;
  readonly kafkaBrokers?: number;
  readonly topics?: Readonly<Record<string, number>>;
  /** The broker limits the Kafka proxy enforces (default: Apache Kafka's and MSK's). */
  readonly kafkaLimits?: Partial<KafkaBrokerLimits>;
  /** The mock's per-partition log caps (default: far beyond any local volume). */
  readonly kafkaLogCaps?: KafkaLogCaps;
  /** Stop when the parent's IPC channel closes (tests); a detached `stack:up` keeps running. */
  readonly exitOnDisconnect?: boolean;
}

export interface StackEndpoints {
  /** What Kafka clients bootstrap to: the proxy that enforces the broker limits. */
  readonly kafkaBrokers: string;
  readonly clickhouseUrl: string;
}

export type StackControl =
  | { readonly type: 'clickhouse-fault'; readonly fault: ClickHouseFault }
  | { readonly type: 'clickhouse-credentials'; readonly user: string; readonly password: string }
  | { readonly type: 'clickhouse-stats'; readonly reset: boolean }
  | { readonly type: 'kafka-broker'; readonly broker: number; readonly up: boolean }
  | { readonly type: 'kafka-request-errors'; readonly apiKey: number; readonly errorCodes: readonly number[] }
  | { readonly type: 'kafka-clear-request-errors'; readonly apiKey: number }
  | { readonly type: 'kafka-create-topic'; readonly topic: string; readonly partitions: number }
  | { readonly type: 'kafka-partition-logs'; readonly topic: string };

export type StackRequest = StackControl & { readonly id: number };

/** What a control request answers with (`kafka-partition-logs` and `clickhouse-stats` answer with data). */
export type StackControlResult = MockPartitionLog[] | ClickHouseRequestStats | undefined;

export type StackMessage =
  | ({ readonly type: 'ready'; readonly pid: number; readonly kafkaMockBrokers: string } & StackEndpoints)
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'ack'; readonly id: number; readonly error?: string; readonly result?: StackControlResult };
