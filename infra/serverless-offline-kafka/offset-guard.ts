import { Kafka, logLevel as LogLevel, type KafkaConfig, type LogEntry } from 'kafkajs';
import type { OutOfRangeDetails } from './errors';

/** kafkajs logs exactly this right before it commits the default offset over an out-of-range one. */
const RESET_MESSAGE = 'Offset out of range, resetting to default offset';
/** kafkajs's text for Kafka error code 1, which it also logs for the fetch that got it. */
const OUT_OF_RANGE_ERROR = 'The requested offset is not within the range of offsets maintained by the server';

export interface OffsetResetSignal {
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
}

/** Thrown from the log hook to abort kafkajs's reset; kafkajs retries the fetch without the stopped partition. */
class ResetRefused extends Error {
  override readonly name = 'ResetRefused';
}

/** kafkajs's default output (used when the options bring no `logCreator`). */
const consoleLog = ({ namespace, level, label, log }: LogEntry) => {
  const line = JSON.stringify({ level: label, ...log, message: `${namespace ? `[${namespace}] ` : ''}${log.message}` });
  if (level === LogLevel.ERROR) console.error(line);
  else if (level === LogLevel.WARN) console.warn(line);
  else console.info(line);
};

/**
 * A kafkajs client whose consumers never reset an out-of-range offset. kafkajs 2.2 (pinned) has
 * no option for that: on OFFSET_OUT_OF_RANGE it logs {@link RESET_MESSAGE} and then commits the
 * earliest/latest offset, skipping (or repeating) records without an error. Here the log line
 * reaches `stopPartition` first, which pauses the partition; throwing then aborts the reset
 * before its commit, so the group keeps its committed offset, and kafkajs retries the fetch for
 * the other partitions. Returns false when the signal is not for a partition it knows (then
 * kafkajs goes on as usual).
 *
 * The hook needs kafkajs to log at ERROR or above, so that level is always on; lines below the
 * configured level are dropped here as kafkajs would drop them.
 */
export function guardedKafka(config: KafkaConfig, stopPartition: (signal: OffsetResetSignal) => boolean): Kafka {
  const configured = config.logLevel ?? LogLevel.INFO;
  return new Kafka({
    ...config,
    logLevel: Math.max(configured, LogLevel.ERROR),
    logCreator: (level) => {
      const print = config.logCreator ? config.logCreator(level) : consoleLog;
      return (entry) => {
        const { message, error, groupId, topic, partition } = entry.log as LogEntry['log'] & Partial<OffsetResetSignal>;
        if (message === RESET_MESSAGE && groupId !== undefined && topic !== undefined && partition !== undefined) {
          if (stopPartition({ groupId, topic, partition })) throw new ResetRefused(`${topic}[${partition}]: offset out of range; not resetting`);
        }
        // The stopped partition is reported with what was lost; the raw failed fetch adds nothing.
        if (error === OUT_OF_RANGE_ERROR && String(message).startsWith('Response Fetch')) return;
        if (entry.level <= configured) print(entry);
      };
    },
  });
}

export interface PartitionPosition {
  readonly partition: number;
  /** The group's committed offset; undefined when it has none yet. */
  readonly committed?: bigint;
  readonly logStart: bigint;
  readonly logEnd: bigint;
}

/** Where `groupId` stands on every partition of `topic`, next to what the log holds. */
export async function readPositions(kafka: Kafka, groupId: string, topic: string): Promise<PartitionPosition[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const bounds = await admin.fetchTopicOffsets(topic);
    return bounds.map(({ partition, low, high }) => {
      const offset = BigInt(committed?.partitions.find((p) => p.partition === partition)?.offset ?? '-1');
      return { partition, ...(offset >= 0n ? { committed: offset } : {}), logStart: BigInt(low), logEnd: BigInt(high) };
    });
  } finally {
    await admin.disconnect();
  }
}

/** The details of an out-of-range position, or undefined when the log holds `expected`. */
export function outOfRange(groupId: string, topic: string, position: PartitionPosition, expected = position.committed): OutOfRangeDetails | undefined {
  if (expected === undefined || (expected >= position.logStart && expected <= position.logEnd)) return undefined;
  return { groupId, topic, partition: position.partition, expected, logStart: position.logStart, logEnd: position.logEnd };
}
