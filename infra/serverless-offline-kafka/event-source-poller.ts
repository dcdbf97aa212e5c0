import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { OffsetOutOfRangeError, stoppedPartitionsError, type OutOfRangeDetails } from './errors';
import { toLambdaEvent, type EventSourceIdentity } from './lambda-event';
import { outOfRange, readPositions, type PartitionPosition } from './offset-guard';
import { planBatchSize, type RedeliveryMode } from './redelivery';

export type LambdaLikeHandler = (event: unknown, context: { awsRequestId: string; functionName: string }) => Promise<unknown>;

/** One function's `msk` / `kafka` event, as serverless.yml declares it. */
export interface EventSourceMappingDefinition {
  readonly functionName: string;
  readonly handler: LambdaLikeHandler;
  readonly source: EventSourceIdentity;
  readonly topic: string;
  readonly batchSize: number;
  readonly maximumBatchingWindowSeconds: number;
  readonly startingPosition: 'LATEST' | 'TRIM_HORIZON' | 'AT_TIMESTAMP';
  readonly consumerGroupId: string;
  readonly enabled: boolean;
}

export interface RetryPolicy {
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
}

export interface PollerOptions {
  readonly retry?: RetryPolicy;
  readonly redelivery?: RedeliveryMode;
}

export interface InvocationReport {
  readonly functionName: string;
  readonly requestId: string;
  readonly topic: string;
  readonly partition: number;
  readonly firstOffset: string;
  readonly lastOffset: string;
  readonly batchSize: number;
  readonly attempt: number;
  readonly durationMs: number;
  readonly result?: unknown;
  readonly error?: Error;
}

/** Emitted once the offset after a successful invocation is committed. */
export interface CommitReport {
  readonly functionName: string;
  readonly topic: string;
  readonly partition: number;
  /** The committed offset: the next record to deliver. */
  readonly offset: string;
  readonly invocation: InvocationReport;
}

/**
 * Consumer-group timings, chosen for quick restarts. The session is the shortest a default
 * broker accepts (`group.min.session.timeout.ms` = 6 s): a group re-forms about that long after
 * its last member leaves or dies (the librdkafka mock waits session − 1 s), where kafkajs's
 * default 30 s made a second `npm start` wait ~25 s. Heartbeats go out every second, also
 * while a handler runs. A rebalance waits up to a Lambda timeout (60 s) for an invocation in
 * flight to finish before its member is dropped.
 */
export const GROUP_TIMINGS = { sessionTimeout: 6_000, heartbeatInterval: 1_000, rebalanceTimeout: 60_000 } as const;

const MAX_FETCH_WAIT_MS = 1_000;

const DEFAULT_RETRY: RetryPolicy = { initialBackoffMs: 500, maxBackoffMs: 30_000 };

interface PartitionState {
  /** The next offset to deliver: the committed one, as far as this poller knows. */
  expected?: bigint;
  /** The last attempt on the batch starting at `offset`, which failed. */
  failed?: { readonly offset: string; readonly size: number; readonly attempt: number };
  stopped?: boolean;
}

/** Sends heartbeats while a handler runs or a retry waits; the first failure aborts `signal`. */
function keepAlive(heartbeat: () => Promise<void>) {
  const controller = new AbortController();
  let failure: unknown;
  const timer = setInterval(() => {
    heartbeat().catch((error: unknown) => {
      failure ??= error;
      controller.abort();
    });
  }, GROUP_TIMINGS.heartbeatInterval);
  return { signal: controller.signal, failure: () => failure, stop: () => clearInterval(timer) };
}

/**
 * Polls one topic with the function's consumer group and invokes the handler like an event
 * source mapping: per partition, in offset order, at most `batchSize` records per event. Offsets
 * are committed only after the handler succeeds; a failing batch is delivered again after a
 * backoff, starting at its first record (`redelivery` decides whether the retry holds the same
 * records or a re-split batch). A partition whose position falls outside the log is stopped with
 * an {@link OffsetOutOfRangeError}, never reset past records it has not delivered.
 *
 * Emits `invoked` (success), `failed` (each failed attempt), `committed` ({@link CommitReport}),
 * `halted` (an {@link OffsetOutOfRangeError}; the partition is stopped), `crashed` (the client
 * lost the brokers or its group and restarts itself) and `joined` (each time it joins the group).
 */
export class EventSourcePoller extends EventEmitter {
  private consumer: Consumer | undefined;
  private readonly partitions = new Map<number, PartitionState>();
  private readonly stopping = new AbortController();
  private readonly retry: RetryPolicy;
  private readonly redelivery: RedeliveryMode;

  constructor(
    private readonly kafka: Kafka,
    readonly definition: EventSourceMappingDefinition,
    options: PollerOptions = {},
  ) {
    super();
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.redelivery = options.redelivery ?? 'identical';
  }

  /** Committed offsets by partition, as read at start and moved by this poller's commits. */
  committedOffsets(): ReadonlyMap<number, bigint> {
    return new Map([...this.partitions].flatMap(([partition, s]) => (s.expected === undefined ? [] : [[partition, s.expected] as const])));
  }

  /**
   * Checks the group's committed offsets against the log, then joins the group and polls.
   * Rejects with {@link OffsetOutOfRangeError} (one error naming them all when several) before
   * joining when committed offsets are outside the log: the client would reset them on the first
   * fetch.
   */
  async start(): Promise<void> {
    const d = this.definition;
    const positions = await readPositions(this.kafka, d.consumerGroupId, d.topic);
    const problems = positions.flatMap((p) => outOfRange(d.consumerGroupId, d.topic, p) ?? []);
    if (problems.length > 0) throw stoppedPartitionsError(problems.map((p) => new OffsetOutOfRangeError(p)));
    for (const position of positions) this.stateOf(position.partition).expected = position.committed;
    const consumer = this.kafka.consumer({
      groupId: d.consumerGroupId,
      // A fetch returns as soon as a record is there, so its wait only paces idle polls; but
      // stopping waits for the fetch in flight, so it is kept short whatever the window.
      maxWaitTimeInMs: Math.min(MAX_FETCH_WAIT_MS, Math.max(10, d.maximumBatchingWindowSeconds * 1000)),
      allowAutoTopicCreation: false,
      ...GROUP_TIMINGS,
      // kafkajs's default retries (5), and no restart once stopping: a crash while `stop()` runs
      // would otherwise schedule a restart after stop has cleared it, and the client would
      // reconnect for ever.
      retry: { retries: 5, restartOnFailure: async () => !this.stopping.signal.aborted },
    });
    this.consumer = consumer;
    // kafkajs restarts a crashed consumer by itself, silently: say so, and say when it is back.
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!this.stopping.signal.aborted) this.emit('crashed', payload.error);
    });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      // A restart that was joining while stop() ran: kafkajs's stop skips a runner that is not
      // running yet, and the joined runner would fetch (reconnecting) for ever. Leave again.
      if (this.stopping.signal.aborted) void consumer.disconnect().catch(() => undefined);
      else this.emit('joined');
    });
    await consumer.connect();
    await consumer.subscribe({ topic: d.topic, fromBeginning: d.startingPosition !== 'LATEST' });
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: (payload) => this.onBatch(payload) });
  }

  /** Ends retry waits at once, lets an invocation in flight finish, and leaves the group. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.consumer?.disconnect();
  }

  /**
   * Stops a partition whose offset the client is about to reset (called synchronously by the
   * client's log hook, see `guardedKafka`). Returns false when the partition is not this poller's.
   */
  stopPartition(topic: string, partition: number): boolean {
    if (topic !== this.definition.topic || !this.consumer) return false;
    const state = this.stateOf(partition);
    if (!state.stopped) {
      state.stopped = true;
      this.consumer.pause([{ topic, partitions: [partition] }]);
      void this.reportOutOfRange(partition, (position) => ({ ...this.detailsOf(position), expected: state.expected }));
    }
    return true;
  }

  private stateOf(partition: number): PartitionState {
    let state = this.partitions.get(partition);
    if (!state) this.partitions.set(partition, (state = {}));
    return state;
  }

  private detailsOf(position: PartitionPosition): OutOfRangeDetails {
    const { consumerGroupId: groupId, topic } = this.definition;
    return { groupId, topic, partition: position.partition, logStart: position.logStart, logEnd: position.logEnd };
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale, pause }: EachBatchPayload): Promise<void> {
    const { topic, partition } = batch;
    const state = this.stateOf(partition);
    // A client restart forgets pauses; a stopped partition stays stopped.
    if (state.stopped) return void pause();
    const active = () => isRunning() && !isStale() && !this.stopping.signal.aborted && !state.stopped;
    let messages = batch.messages;
    if (messages.length === 0 || !active() || !(await this.inSequence(partition, BigInt(messages[0]!.offset)))) return;

    while (messages.length > 0 && active()) {
      const first = messages[0]!.offset;
      const failed = state.failed?.offset === first ? state.failed : undefined;
      const size = planBatchSize({ mode: this.redelivery, batchSize: this.definition.batchSize, available: messages.length, failed, seed: `${topic}/${partition}/${first}` });
      const chunk = messages.slice(0, size);
      const report = await this.invoke(topic, partition, chunk, (failed?.attempt ?? 0) + 1, heartbeat);
      if (report.error) {
        state.failed = { offset: first, size, attempt: report.attempt };
        await this.backoff(report.attempt, heartbeat);
        // Left unresolved on purpose: the next fetch starts again at `first`, with whatever
        // arrived meanwhile, and the plan above decides what the retry holds.
        return;
      }
      state.failed = undefined;
      const last = chunk[chunk.length - 1]!.offset;
      const next = (BigInt(last) + 1n).toString();
      resolveOffset(last);
      await this.consumer!.commitOffsets([{ topic, partition, offset: next }]);
      state.expected = BigInt(next);
      this.emit('committed', { functionName: this.definition.functionName, topic, partition, offset: next, invocation: report } satisfies CommitReport);
      messages = messages.slice(size);
    }
  }

  /**
   * True when a batch starts where the group stands. It may start later when the records in
   * between are not data (transaction markers, compacted away); it must not start earlier (the
   * client went back) or after records that are gone from the log: then the partition stops and
   * the committed offset the client overwrote is put back.
   */
  private async inSequence(partition: number, first: bigint): Promise<boolean> {
    const state = this.stateOf(partition);
    const expected = state.expected;
    if (expected === undefined || first === expected) return true;
    const { topic, consumerGroupId } = this.definition;
    const position = (await readPositions(this.kafka, consumerGroupId, topic)).find((p) => p.partition === partition)!;
    const problem = first < expected ? { ...this.detailsOf(position), expected, fetched: first } : outOfRange(consumerGroupId, topic, position, expected);
    if (!problem) return true;
    state.stopped = true;
    this.consumer!.pause([{ topic, partitions: [partition] }]);
    await this.consumer!.commitOffsets([{ topic, partition, offset: expected.toString() }]);
    this.emit('halted', new OffsetOutOfRangeError(problem));
    return false;
  }

  private async reportOutOfRange(partition: number, details: (position: PartitionPosition) => OutOfRangeDetails): Promise<void> {
    const { topic, consumerGroupId } = this.definition;
    try {
      const position = (await readPositions(this.kafka, consumerGroupId, topic)).find((p) => p.partition === partition)!;
      this.emit('halted', new OffsetOutOfRangeError(details(position)));
    } catch (error) {
      const where = `${topic}[${partition}] (consumer group ${consumerGroupId})`;
      this.emit('halted', new Error(`${where}: offset out of range; the partition is stopped (its bounds could not be read: ${(error as Error).message})`, { cause: error }));
    }
  }

  private async invoke(topic: string, partition: number, messages: readonly KafkaMessage[], attempt: number, heartbeat: () => Promise<void>): Promise<InvocationReport> {
    const d = this.definition;
    const requestId = randomUUID();
    const base = { functionName: d.functionName, requestId, topic, partition, firstOffset: messages[0]!.offset, lastOffset: messages[messages.length - 1]!.offset, batchSize: messages.length, attempt };
    const started = Date.now();
    const alive = keepAlive(heartbeat);
    try {
      const result = await d.handler(toLambdaEvent(d.source, topic, partition, messages), { awsRequestId: requestId, functionName: d.functionName });
      const report: InvocationReport = { ...base, durationMs: Date.now() - started, result };
      this.emit('invoked', report);
      return report;
    } catch (error) {
      const report: InvocationReport = { ...base, durationMs: Date.now() - started, error: error as Error };
      this.emit('failed', report);
      return report;
    } finally {
      alive.stop();
    }
  }

  /** Waits before a retry, as the event source mapping does, keeping the group membership. */
  private async backoff(attempt: number, heartbeat: () => Promise<void>): Promise<void> {
    const ms = Math.min(this.retry.maxBackoffMs, this.retry.initialBackoffMs * 2 ** (attempt - 1));
    const alive = keepAlive(heartbeat);
    try {
      await sleep(ms, undefined, { signal: AbortSignal.any([this.stopping.signal, alive.signal]) }).catch(() => undefined);
    } finally {
      alive.stop();
    }
    // A lost membership (rebalance) surfaces here so that kafkajs rejoins now, not after the wait.
    if (alive.failure()) throw alive.failure();
  }
}
