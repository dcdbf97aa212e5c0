import type { LibraryHandle } from 'koffi' with { 'resolution-mode': 'import' };
import { TOPIC_OF_TABLE } from '../../lib/schemas';
import { liftMockLogCaps, LOCAL_STACK_LOG_CAPS, mockTopicCount, readMockPartitionLogs, type KafkaLogCaps, type MockPartitionLog } from './kafka-mock-log-caps';

// koffi ships an ESM type surface over a CommonJS build (index.cjs); require keeps this file CommonJS.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const koffi = require('koffi') as typeof import('koffi', { with: { 'resolution-mode': 'import' } });

export class LibrdkafkaMissingError extends Error {
  constructor(cause: unknown) {
    super(
      'Cannot load librdkafka, which the local Kafka stand-in needs. Install it: ' +
        'Debian/Ubuntu `sudo apt-get install -y librdkafka1`, macOS `brew install librdkafka`.',
      { cause },
    );
    this.name = 'LibrdkafkaMissingError';
  }
}

const LIBRARY_NAMES = ['librdkafka.so.1', 'librdkafka.so', 'librdkafka.1.dylib', '/opt/homebrew/lib/librdkafka.dylib', '/usr/local/lib/librdkafka.dylib'];

type Native = ReturnType<typeof bind>;

function loadLibrary(): LibraryHandle {
  let lastError: unknown;
  for (const name of LIBRARY_NAMES) {
    try {
      return koffi.load(name);
    } catch (error) {
      lastError = error;
    }
  }
  throw new LibrdkafkaMissingError(lastError);
}

function bind(lib: LibraryHandle) {
  return {
    confNew: lib.func('void *rd_kafka_conf_new()'),
    confSet: lib.func('int rd_kafka_conf_set(void *conf, const char *name, const char *value, _Out_ uint8_t *errstr, size_t size)'),
    kafkaNew: lib.func('void *rd_kafka_new(int type, void *conf, _Out_ uint8_t *errstr, size_t size)'),
    kafkaDestroy: lib.func('void rd_kafka_destroy(void *rk)'),
    clusterNew: lib.func('void *rd_kafka_mock_cluster_new(void *rk, int brokers)'),
    clusterDestroy: lib.func('void rd_kafka_mock_cluster_destroy(void *mc)'),
    bootstraps: lib.func('const char *rd_kafka_mock_cluster_bootstraps(void *mc)'),
    topicCreate: lib.func('int rd_kafka_mock_topic_create(void *mc, const char *topic, int partitions, int replication)'),
    brokerDown: lib.func('int rd_kafka_mock_broker_set_down(void *mc, int32_t broker)'),
    brokerUp: lib.func('int rd_kafka_mock_broker_set_up(void *mc, int32_t broker)'),
    brokerRtt: lib.func('int rd_kafka_mock_broker_set_rtt(void *mc, int32_t broker, int rtt_ms)'),
    pushRequestErrors: lib.func('void rd_kafka_mock_push_request_errors_array(void *mc, int16_t apikey, size_t cnt, const int *errors)'),
    clearRequestErrors: lib.func('void rd_kafka_mock_clear_request_errors(void *mc, int16_t apikey)'),
    errName: lib.func('const char *rd_kafka_err2name(int err)'),
  };
}

export interface KafkaMockOptions {
  readonly brokers?: number;
  /** Topic → partition count; defaults to 3 per data topic and 1 for `dlq-topic`. */
  readonly topics?: Readonly<Record<string, number>>;
  /** Per-partition log caps (default {@link LOCAL_STACK_LOG_CAPS}); librdkafka's own are 5 MiB / 100,000 appends. */
  readonly logCaps?: KafkaLogCaps;
}

/** Every table's topic with 3 partitions (as docker-compose.yml creates them) and `dlq-topic` with 1. */
export const DEFAULT_TOPIC_PARTITIONS: Readonly<Record<string, number>> = {
  ...Object.fromEntries(Object.values(TOPIC_OF_TABLE).map((topic) => [topic, 3])),
  'dlq-topic': 1,
};

const RD_KAFKA_PRODUCER = 0;

/**
 * librdkafka's built-in mock cluster: a wire-compatible Kafka broker set, in this process.
 * Run it in a process of its own, apart from Kafka clients (see infra/local/stack-process.ts).
 */
export class KafkaMockCluster {
  private liftedTopicCount = 0;

  private constructor(
    private readonly native: Native,
    private readonly rk: unknown,
    private readonly mc: bigint,
    readonly bootstrapServers: string,
    readonly logCaps: KafkaLogCaps,
  ) {}

  static start(options: KafkaMockOptions = {}): KafkaMockCluster {
    const native = bind(loadLibrary());
    const errstr = Buffer.alloc(512);
    const conf = native.confNew();
    // The mock cluster's host handle logs only real problems.
    native.confSet(conf, 'log_level', '3', errstr, errstr.length);
    const rk = native.kafkaNew(RD_KAFKA_PRODUCER, conf, errstr, errstr.length);
    if (!rk) throw new Error(`rd_kafka_new failed: ${errstr.toString('utf8').replace(/\0.*$/s, '')}`);
    const mc = native.clusterNew(rk, options.brokers ?? 3);
    if (!mc) throw new Error('rd_kafka_mock_cluster_new failed');
    const cluster = new KafkaMockCluster(native, rk, mc as bigint, native.bootstraps(mc) as string, options.logCaps ?? LOCAL_STACK_LOG_CAPS);
    try {
      for (const [topic, partitions] of Object.entries(options.topics ?? DEFAULT_TOPIC_PARTITIONS)) {
        cluster.createTopic(topic, partitions);
      }
    } catch (error) {
      cluster.close();
      throw error;
    }
    return cluster;
  }

  /** Creates a topic (synchronously: it exists on return) with this cluster's log caps. */
  createTopic(topic: string, partitions: number, replication = 1): void {
    this.check(this.native.topicCreate(this.mc, topic, partitions, replication), `create topic ${topic}`);
    this.liftLogCaps([topic]);
  }

  /**
   * Gives topics the mock created by itself (a client's Metadata request for an unknown topic
   * auto-creates it) this cluster's log caps. Cheap when no topic was added since the last call.
   */
  liftNewTopics(): void {
    if (mockTopicCount(this.mc) !== this.liftedTopicCount) this.liftLogCaps();
  }

  /** Caps and fill of each partition of `topic`, read from the mock (undefined: no such topic). */
  partitionLogs(topic: string): MockPartitionLog[] | undefined {
    return readMockPartitionLogs(this.mc, topic);
  }

  /** The `host:port` of broker `id` (1..brokers): the mock lists its brokers in id order. */
  brokerAddress(id: number): string {
    const address = this.bootstrapServers.split(',')[id - 1];
    if (!address) throw new Error(`Kafka mock: no broker ${id}`);
    return address;
  }

  /** Broker ids are 1..brokers. A down broker closes its connections and refuses new ones. */
  setBrokerDown(broker: number): void {
    this.check(this.native.brokerDown(this.mc, broker), `set broker ${broker} down`);
  }

  setBrokerUp(broker: number): void {
    this.check(this.native.brokerUp(this.mc, broker), `set broker ${broker} up`);
  }

  setBrokerRtt(broker: number, rttMs: number): void {
    this.check(this.native.brokerRtt(this.mc, broker, rttMs), `set broker ${broker} rtt`);
  }

  /** The next requests of `apiKey` (e.g. 0 = Produce) fail with these Kafka error codes, in order. */
  pushRequestErrors(apiKey: number, errorCodes: readonly number[]): void {
    this.native.pushRequestErrors(this.mc, apiKey, errorCodes.length, Int32Array.from(errorCodes));
  }

  clearRequestErrors(apiKey: number): void {
    this.native.clearRequestErrors(this.mc, apiKey);
  }

  close(): void {
    this.native.clusterDestroy(this.mc);
    this.native.kafkaDestroy(this.rk);
  }

  private liftLogCaps(expectedTopics: readonly string[] = []): void {
    const count = mockTopicCount(this.mc);
    liftMockLogCaps(this.mc, this.logCaps, expectedTopics);
    this.liftedTopicCount = count;
  }

  private check(code: number, what: string): void {
    if (code !== 0) throw new Error(`Kafka mock: could not ${what}: ${this.native.errName(code)}`);
  }
}
