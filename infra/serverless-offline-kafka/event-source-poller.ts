import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Consumer, Kafka } from 'kafkajs';
import { toLambdaEvent, type EventSourceIdentity } from './lambda-event';

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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls one topic with the function's consumer group and invokes the handler like an event
 * source mapping: per partition, in offset order, at most `batchSize` records per event. Offsets
 * are committed only after the handler succeeds; a failing batch is retried with backoff, the
 * same records every time, and the partition waits (nothing is skipped).
 *
 * Emits `invoked` (success), `failed` (each failed attempt) and `committed`.
 */
export class EventSourcePoller extends EventEmitter {
  private consumer: Consumer | undefined;
  private stopping = false;

  constructor(
    private readonly kafka: Kafka,
    readonly definition: EventSourceMappingDefinition,
    private readonly retry: RetryPolicy = { initialBackoffMs: 500, maxBackoffMs: 30_000 },
  ) {
    super();
  }

  async start(): Promise<void> {
    const d = this.definition;
    const consumer = this.kafka.consumer({ groupId: d.consumerGroupId, maxWaitTimeInMs: Math.max(10, d.maximumBatchingWindowSeconds * 1000), allowAutoTopicCreation: false });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topic: d.topic, fromBeginning: d.startingPosition !== 'LATEST' });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        for (let i = 0; i < batch.messages.length; i += d.batchSize) {
          if (!isRunning() || isStale() || this.stopping) return;
          const chunk = batch.messages.slice(i, i + d.batchSize);
          const delivered = await this.invokeUntilSuccess(batch.topic, batch.partition, chunk, heartbeat, () => isRunning() && !isStale() && !this.stopping);
          if (!delivered) return;
          const last = chunk[chunk.length - 1]!.offset;
          resolveOffset(last);
          await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }]);
          this.emit('committed', { functionName: d.functionName, topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() });
          await heartbeat();
        }
      },
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.consumer?.disconnect();
  }

  /** Invokes until the handler succeeds; false when the poller stops first (offsets stay uncommitted). */
  private async invokeUntilSuccess(
    topic: string,
    partition: number,
    messages: Parameters<typeof toLambdaEvent>[3],
    heartbeat: () => Promise<void>,
    active: () => boolean,
  ): Promise<boolean> {
    const d = this.definition;
    const event = toLambdaEvent(d.source, topic, partition, messages);
    for (let attempt = 1; ; attempt++) {
      const started = Date.now();
      const requestId = randomUUID();
      const base = { functionName: d.functionName, requestId, topic, partition, firstOffset: messages[0]!.offset, lastOffset: messages[messages.length - 1]!.offset, batchSize: messages.length, attempt };
      try {
        const result = await d.handler(event, { awsRequestId: requestId, functionName: d.functionName });
        this.emit('invoked', { ...base, durationMs: Date.now() - started, result } satisfies InvocationReport);
        return true;
      } catch (error) {
        this.emit('failed', { ...base, durationMs: Date.now() - started, error: error as Error } satisfies InvocationReport);
        const backoff = Math.min(this.retry.maxBackoffMs, this.retry.initialBackoffMs * 2 ** (attempt - 1));
        // Retrying is the event source mapping's behaviour, so it waits between attempts here too;
        // the heartbeat keeps the group membership (and the partition) while it waits.
        for (let waited = 0; waited < backoff; waited += 1_000) {
          if (!active()) return false;
          await sleep(Math.min(1_000, backoff - waited));
          await heartbeat();
        }
        if (!active()) return false;
      }
    }
  }
}
