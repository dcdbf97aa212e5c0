/**
 * librdkafka's mock broker keeps each partition's log in memory and, once a partition holds more
 * than 5 MiB or 100,000 message sets, silently deletes its oldest message sets — records that were
 * acknowledged. No exported function changes those caps (librdkafka 2.0.2,
 * `rd_kafka_mock_partition_init`), so this module writes them into the mock's own structs, after
 * checks that prove the struct layout below is the one the loaded library was built with.
 */
import type { TypeObject } from 'koffi' with { 'resolution-mode': 'import' };

// eslint-disable-next-line @typescript-eslint/no-require-imports
const koffi = require('koffi') as typeof import('koffi', { with: { 'resolution-mode': 'import' } });

/** Per-partition log caps of the mock broker. */
export interface KafkaLogCaps {
  /** Bytes of record batches a partition keeps. */
  readonly maxBytes: number;
  /** Produce appends (one message set per partition per Produce request) a partition keeps. */
  readonly maxMessageSets: number;
}

/** What `rd_kafka_mock_partition_init` sets, and what every partition starts with. */
export const LIBRDKAFKA_MOCK_LOG_CAPS: KafkaLogCaps = { maxBytes: 5 * 1024 * 1024, maxMessageSets: 100_000 };

/**
 * What the local stack sets instead: far beyond any test, demo or benchmark (the demo writes a few
 * MB, the largest test about 60 MB). The mock holds its logs in memory, so these are also the
 * bound on what one partition can cost.
 */
export const LOCAL_STACK_LOG_CAPS: KafkaLogCaps = { maxBytes: 4 * 1024 ** 3, maxMessageSets: 10_000_000 };

export class KafkaMockLayoutError extends Error {
  constructor(detail: string) {
    super(
      `The loaded librdkafka's mock cluster does not have the memory layout the local stack expects (${detail}), ` +
        'so its log caps cannot be lifted safely; the stack refuses to start rather than silently drop records. ' +
        'infra/local/kafka-mock-log-caps.ts mirrors the structs of librdkafka 2.0.x (rdkafka_mock_int.h).',
    );
    this.name = 'KafkaMockLayoutError';
  }
}

// Mirrors of rdkafka_mock_int.h (v2.0.2). koffi lays them out with the platform's C ABI, so the
// offsets are the compiler's, not hand-computed; only the leading members of the cluster are needed.
const TailqEntry = koffi.struct('kcl_tailq_entry', { tqe_next: 'void *', tqe_prev: 'void *' });
const TailqHead = koffi.struct('kcl_tailq_head', { tqh_first: 'void *', tqh_last: 'void *' });
const RdList = koffi.struct('kcl_rd_list', {
  rl_size: 'int',
  rl_cnt: 'int',
  rl_elems: 'void *',
  rl_free_cb: 'void *',
  rl_flags: 'int',
  rl_elemsize: 'int',
  rl_p: 'void *',
});
const MockPartition = koffi.struct('kcl_mock_partition', {
  leader_link: TailqEntry,
  id: 'int32_t',
  start_offset: 'int64_t',
  end_offset: 'int64_t',
  follower_start_offset: 'int64_t',
  follower_end_offset: 'int64_t',
  update_follower_start_offset: 'uint8_t',
  update_follower_end_offset: 'uint8_t',
  msgsets: TailqHead,
  size: 'size_t',
  cnt: 'size_t',
  max_size: 'size_t',
  max_cnt: 'size_t',
  committed_offsets: TailqHead,
  leader: 'void *',
  replicas: 'void *',
  replica_cnt: 'int',
  pidstates: RdList,
  follower_id: 'int32_t',
  topic: 'void *',
});
const MockTopic = koffi.struct('kcl_mock_topic', {
  link: TailqEntry,
  name: 'void *',
  partitions: 'void *',
  partition_cnt: 'int',
  err: 'int',
  cluster: 'void *',
});
const MockClusterHead = koffi.struct('kcl_mock_cluster_head', {
  id: koffi.array('char', 32, 'Array'),
  rk: 'void *',
  controller_id: 'int32_t',
  brokers: TailqHead,
  broker_cnt: 'int',
  topics: TailqHead,
  topic_cnt: 'int',
});

type Pointer = bigint | null;
const PARTITION_SIZE = koffi.sizeof(MockPartition);
const MAX_SIZE_OFFSET = koffi.offsetof(MockPartition, 'max_size');
const MAX_CNT_OFFSET = koffi.offsetof(MockPartition, 'max_cnt');
/** Sanity bounds: a real mock has a handful of topics with a few partitions each. */
const MAX_TOPICS = 10_000;
const MAX_PARTITIONS = 100_000;

const read = <T>(pointer: bigint, offset: number, type: TypeObject | string): T => koffi.decode(pointer, offset, type) as T;
const toNumber = (value: number | bigint): number => Number(value);

interface PartitionState {
  readonly id: number;
  readonly topic: Pointer;
  readonly size: number;
  readonly cnt: number;
  readonly maxBytes: number;
  readonly maxMessageSets: number;
}

/** One partition of the mock, as read from its struct. */
export interface MockPartitionLog extends KafkaLogCaps {
  readonly partition: number;
  /** Bytes and message sets the partition holds now. */
  readonly bytes: number;
  readonly messageSets: number;
}

function readPartition(partitions: bigint, index: number): PartitionState {
  const p = read<Record<string, number | bigint | Pointer>>(partitions, index * PARTITION_SIZE, MockPartition);
  return {
    id: toNumber(p.id as number),
    topic: p.topic as Pointer,
    size: toNumber(p.size as number | bigint),
    cnt: toNumber(p.cnt as number | bigint),
    maxBytes: toNumber(p.max_size as number | bigint),
    maxMessageSets: toNumber(p.max_cnt as number | bigint),
  };
}

interface TopicView {
  readonly address: bigint;
  readonly name: string;
  readonly partitions: bigint;
  readonly partitionCount: number;
}

/** Walks the cluster's topic list, checking every link against what it must be. */
function readTopics(cluster: bigint): TopicView[] {
  const head = read<{ topics: { tqh_first: Pointer }; topic_cnt: number }>(cluster, 0, MockClusterHead);
  if (head.topic_cnt < 0 || head.topic_cnt > MAX_TOPICS) throw new KafkaMockLayoutError(`implausible topic count ${head.topic_cnt}`);
  const topics: TopicView[] = [];
  for (let address = head.topics.tqh_first; address; ) {
    if (topics.length >= MAX_TOPICS) throw new KafkaMockLayoutError(`a topic list longer than ${MAX_TOPICS}`);
    const topic = read<{ link: { tqe_next: Pointer }; name: Pointer; partitions: Pointer; partition_cnt: number; cluster: Pointer }>(address, 0, MockTopic);
    if (topic.cluster !== cluster) throw new KafkaMockLayoutError('a topic does not point back at its cluster');
    if (!topic.name || !topic.partitions || topic.partition_cnt < 1 || topic.partition_cnt > MAX_PARTITIONS) {
      throw new KafkaMockLayoutError('a topic has no name, no partitions or an implausible partition count');
    }
    topics.push({ address, name: koffi.decode.string(topic.name), partitions: topic.partitions, partitionCount: topic.partition_cnt });
    address = topic.link.tqe_next;
  }
  // The mock thread may have added a topic (auto-creation) between reading the count and the walk.
  if (topics.length !== head.topic_cnt && topics.length !== mockTopicCount(cluster)) {
    throw new KafkaMockLayoutError(`found ${topics.length} topics, the cluster counts ${head.topic_cnt}`);
  }
  return topics;
}

function checkedPartitions(topic: TopicView): PartitionState[] {
  return Array.from({ length: topic.partitionCount }, (_, index) => {
    const partition = readPartition(topic.partitions, index);
    if (partition.id !== index || partition.topic !== topic.address) {
      throw new KafkaMockLayoutError(`partition ${index} of "${topic.name}" reads as id ${partition.id} of another topic`);
    }
    return partition;
  });
}

/**
 * Sets `caps` on every partition of every topic of the mock cluster `cluster` (the pointer
 * `rd_kafka_mock_cluster_new` returned) that still has librdkafka's defaults, and returns the
 * names of the topics it changed. Idempotent. Checks first, for every partition of every topic,
 * that the structs read as they must (ids, back pointers, counts, and caps that are either the
 * defaults or `caps`), and writes nothing if any check fails.
 *
 * `expectedTopics`, when given, must all be in the cluster (proves the names read right).
 */
export function liftMockLogCaps(cluster: bigint, caps: KafkaLogCaps, expectedTopics: readonly string[] = []): string[] {
  // On LP64 (x86_64, arm64) the header gives 208 bytes with max_size at 96: a check of the mirror itself.
  if (koffi.sizeof('void *') === 8 && (PARTITION_SIZE !== 208 || MAX_SIZE_OFFSET !== 96 || MAX_CNT_OFFSET !== 104)) {
    throw new KafkaMockLayoutError(`mirror lays a partition out as ${PARTITION_SIZE} bytes with max_size at ${MAX_SIZE_OFFSET}`);
  }
  const topics = readTopics(cluster);
  const names = new Set(topics.map((t) => t.name));
  const missing = expectedTopics.filter((name) => !names.has(name));
  if (missing.length > 0) throw new KafkaMockLayoutError(`created topics not found: ${missing.join(', ')}`);

  const toLift: Array<{ topic: TopicView; index: number }> = [];
  for (const topic of topics) {
    checkedPartitions(topic).forEach((partition, index) => {
      const isDefault = partition.maxBytes === LIBRDKAFKA_MOCK_LOG_CAPS.maxBytes && partition.maxMessageSets === LIBRDKAFKA_MOCK_LOG_CAPS.maxMessageSets;
      const isLifted = partition.maxBytes === caps.maxBytes && partition.maxMessageSets === caps.maxMessageSets;
      if (!isDefault && !isLifted) {
        throw new KafkaMockLayoutError(`partition ${index} of "${topic.name}" has caps ${partition.maxBytes} bytes / ${partition.maxMessageSets} sets, neither librdkafka's defaults nor ours`);
      }
      if (isDefault && !isLifted) toLift.push({ topic, index });
    });
  }
  // Aligned 8-byte stores: the mock thread sees the old or the new cap, never a torn value.
  for (const { topic, index } of toLift) {
    koffi.encode(topic.partitions, index * PARTITION_SIZE + MAX_SIZE_OFFSET, 'size_t', caps.maxBytes);
    koffi.encode(topic.partitions, index * PARTITION_SIZE + MAX_CNT_OFFSET, 'size_t', caps.maxMessageSets);
  }
  return [...new Set(toLift.map(({ topic }) => topic.name))];
}

/** The caps and current fill of every partition of `topicName` (undefined for an unknown topic). */
export function readMockPartitionLogs(cluster: bigint, topicName: string): MockPartitionLog[] | undefined {
  const topic = readTopics(cluster).find((t) => t.name === topicName);
  if (!topic) return undefined;
  return checkedPartitions(topic).map((p) => ({ partition: p.id, bytes: p.size, messageSets: p.cnt, maxBytes: p.maxBytes, maxMessageSets: p.maxMessageSets }));
}

/** The cluster's topic count, cheap enough to read on every Metadata response. */
export function mockTopicCount(cluster: bigint): number {
  return read<{ topic_cnt: number }>(cluster, 0, MockClusterHead).topic_cnt;
}
