import { EventEmitter } from 'node:events';
import type { KafkaConfig } from 'kafkajs';
import type { PipelineLogger } from '../../lib/ports';
import { EventSourcePoller, type CommitReport, type EventSourceMappingDefinition, type InvocationReport, type RetryPolicy } from './event-source-poller';
import { guardedKafka } from './offset-guard';
import type { RedeliveryMode } from './redelivery';

export interface EmulatorOptions {
  /** kafkajs client options (e.g. from `kafkaClientOptions(config.kafka)`); the emulator makes its own client. */
  readonly kafka: KafkaConfig;
  readonly mappings: readonly EventSourceMappingDefinition[];
  readonly logger: PipelineLogger;
  readonly retry?: RetryPolicy;
  /** What a retry after a failed invocation holds; `identical` unless set (see `redelivery.ts`). */
  readonly redelivery?: RedeliveryMode;
}

/**
 * The local stand-in for Lambda's Kafka event source mappings: one consumer group per function,
 * events shaped like AWS's, offsets committed after success, failures retried, and a partition
 * stopped (never skipped) when its offset falls outside the log. Usable on its own (`npm start`,
 * `npm run consumer`, tests) and from the serverless-offline plugin in this folder.
 *
 * Emits what its pollers emit: `invoked`, `failed`, `committed` and `halted` (see
 * `EventSourcePoller`); each is also logged. Also `kafka-lost` (an Error) when a client loses
 * the brokers while none had, and `kafka-back` once every client that lost them has rejoined:
 * kafkajs retries for ever on its own, and these let a command say so instead of going quiet.
 */
export class KafkaEventSourceEmulator extends EventEmitter {
  private readonly pollers: EventSourcePoller[];
  /** Pollers whose client crashed (lost the brokers) and has not joined its group again. */
  private readonly crashed = new Set<EventSourcePoller>();

  constructor(private readonly options: EmulatorOptions) {
    super();
    const kafka = guardedKafka(options.kafka, ({ groupId, topic, partition }) =>
      this.pollers.some((p) => p.definition.consumerGroupId === groupId && p.stopPartition(topic, partition)),
    );
    const { retry, redelivery } = options;
    this.pollers = options.mappings.filter((m) => m.enabled).map((m) => new EventSourcePoller(kafka, m, { retry, redelivery }));
    const log = options.logger;
    for (const poller of this.pollers) {
      poller.on('invoked', (report: InvocationReport) => {
        log.info('kafka event source: invocation succeeded', describe(report));
        this.emit('invoked', report);
      });
      poller.on('failed', (report: InvocationReport) => {
        log.warn('kafka event source: invocation failed; the batch will be delivered again', { ...describe(report), error: report.error?.message });
        this.emit('failed', report);
      });
      poller.on('committed', (commit: CommitReport) => this.emit('committed', commit));
      poller.on('crashed', (error: Error) => {
        const first = this.crashed.size === 0;
        this.crashed.add(poller);
        log.warn('kafka event source: lost the Kafka connection; retrying', { function: poller.definition.functionName, error: error.message });
        if (first) this.emit('kafka-lost', error);
      });
      poller.on('joined', () => {
        if (!this.crashed.delete(poller)) return;
        log.info('kafka event source: reconnected', { function: poller.definition.functionName });
        if (this.crashed.size === 0) this.emit('kafka-back');
      });
      poller.on('halted', (error: Error) => {
        log.error('kafka event source: partition stopped', { function: poller.definition.functionName, error: error.message });
        this.emit('halted', error);
      });
    }
  }

  /** Joins every function's group at once (a join takes seconds on the local mock); all or none. */
  async start(): Promise<void> {
    const started = await Promise.allSettled(this.pollers.map((p) => p.start()));
    const failure = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failure) {
      await this.stop();
      throw failure.reason;
    }
    for (const { definition: d } of this.pollers) {
      this.options.logger.info('kafka event source: polling', { function: d.functionName, topic: d.topic, consumerGroupId: d.consumerGroupId, batchSize: d.batchSize });
    }
  }

  /** Leaves every group (waiting for invocations in flight), so a restart rejoins quickly. */
  async stop(): Promise<void> {
    await Promise.all(this.pollers.map((p) => p.stop()));
  }

  /**
   * Committed offsets (the next record to deliver) by `topic/partition`, where every function
   * reading the topic has one; the lowest of them.
   */
  committedOffsets(): Map<string, bigint> {
    const seen = new Map<string, bigint[]>();
    for (const poller of this.pollers) {
      for (const [partition, offset] of poller.committedOffsets()) {
        const key = `${poller.definition.topic}/${partition}`;
        seen.set(key, [...(seen.get(key) ?? []), offset]);
      }
    }
    const readers = (key: string) => this.pollers.filter((p) => key.startsWith(`${p.definition.topic}/`)).length;
    return new Map([...seen].filter(([key, offsets]) => offsets.length === readers(key)).map(([key, offsets]) => [key, offsets.reduce((a, b) => (b < a ? b : a))]));
  }
}

const describe = (r: InvocationReport): Record<string, unknown> => ({
  function: r.functionName,
  topic: r.topic,
  partition: r.partition,
  offsets: `${r.firstOffset}-${r.lastOffset}`,
  batchSize: r.batchSize,
  attempt: r.attempt,
  durationMs: r.durationMs,
});
