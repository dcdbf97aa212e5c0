import { EventEmitter } from 'node:events';
import type { Kafka } from 'kafkajs';
import type { PipelineLogger } from '../../lib/ports';
import { EventSourcePoller, type EventSourceMappingDefinition, type InvocationReport, type RetryPolicy } from './event-source-poller';

export interface EmulatorOptions {
  readonly kafka: Kafka;
  readonly mappings: readonly EventSourceMappingDefinition[];
  readonly logger: PipelineLogger;
  readonly retry?: RetryPolicy;
}

/**
 * The local stand-in for Lambda's Kafka event source mappings: one consumer group per function,
 * events shaped like AWS's, offsets committed after success, failures retried. Usable on its own
 * (`npm start`, tests) and from the serverless-offline plugin in this folder.
 */
export class KafkaEventSourceEmulator extends EventEmitter {
  private readonly pollers: EventSourcePoller[];

  constructor(private readonly options: EmulatorOptions) {
    super();
    this.pollers = options.mappings.filter((m) => m.enabled).map((m) => new EventSourcePoller(options.kafka, m, options.retry));
    for (const poller of this.pollers) {
      poller.on('invoked', (report: InvocationReport) => {
        options.logger.info('kafka event source: invocation succeeded', describe(report));
        this.emit('invoked', report);
      });
      poller.on('failed', (report: InvocationReport) => {
        options.logger.warn('kafka event source: invocation failed; retrying the same records', { ...describe(report), error: report.error?.message });
        this.emit('failed', report);
      });
      poller.on('committed', (commit) => this.emit('committed', commit));
    }
  }

  async start(): Promise<void> {
    await Promise.all(this.pollers.map((p) => p.start()));
    for (const p of this.pollers) {
      const d = p.definition;
      this.options.logger.info('kafka event source: polling', { function: d.functionName, topic: d.topic, consumerGroupId: d.consumerGroupId, batchSize: d.batchSize });
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.pollers.map((p) => p.stop()));
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
