import type { Producer } from 'kafkajs';
import type { KafkaConfig } from '../config';
import { withTimeout, type Deadline } from '../deadline';
import { DeadLetterPublishError } from '../errors';
import type { DeadLetter, DeadLetterSink } from '../ports';
import { createProducer, forgetKafkaSecrets, kafkajs } from './client';
import { MIN_DEAD_LETTER_BYTES, toDeadLetterMessage, type DeadLetterMessage } from './dead-letter-message';

/**
 * Uncompressed bytes per produce request: under Kafka's and MSK's default `message.max.bytes`
 * (1048588, checked per record batch) even before compression, with room for framing.
 */
export const SEND_BUDGET_BYTES = 768 * 1024;
/** Upper bound for one send (or connect), before the invocation's deadline applies. */
const SEND_TIMEOUT_MS = 30_000;

const sizeOf = (m: DeadLetterMessage): number =>
  Buffer.byteLength(m.value) + (m.key?.length ?? 0) + Object.entries(m.headers).reduce((n, [k, v]) => n + k.length + v.length + 8, 0) + 64;

/** Groups messages, in order, into sends of at most `budget` bytes (a larger single message goes alone). */
export function chunkBySize(messages: readonly DeadLetterMessage[], budget: number): DeadLetterMessage[][] {
  const chunks: DeadLetterMessage[][] = [];
  let current: DeadLetterMessage[] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = sizeOf(m);
    if (current.length > 0 && bytes + size > budget) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(m);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

const isTooLarge = (error: unknown): boolean => {
  const e = error as { type?: unknown; cause?: unknown; message?: unknown } | null;
  return e?.type === 'MESSAGE_TOO_LARGE' || /MESSAGE_TOO_LARGE|message.*too large|larger than the max message size/i.test(String(e?.message ?? '')) || (!!e?.cause && isTooLarge(e.cause));
};
const isAuthFailure = (error: unknown): boolean => /SASL|authenticat|SSL|certificate/i.test(String((error as Error | null)?.message ?? ''));

export interface DeadLetterPublisherOptions {
  readonly kafka: KafkaConfig;
  readonly topic: string;
  /** Cap of one dead letter on the topic (`DLQ_MAX_MESSAGE_BYTES`). */
  readonly maxMessageBytes: number;
  readonly now?: () => Date;
  /** For tests: how to build the producer. */
  readonly createProducer?: (config: KafkaConfig) => Promise<Producer>;
}

/**
 * Publishes a batch's poison records to the DLQ topic with `acks: -1`, gzip-compressed, in sends
 * that stay under the broker's size limit; each letter is bounded by `maxMessageBytes`. The
 * producer connects only when a batch has poison (a clean batch never touches Kafka). If the
 * broker still answers MESSAGE_TOO_LARGE (a broker configured below our cap), letters are rebuilt
 * smaller and sent again, down to {@link MIN_DEAD_LETTER_BYTES}: a size limit can never wedge a
 * partition. Any other failure throws {@link DeadLetterPublishError}: the batch is redelivered
 * and the poison published again, never dropped.
 */
export class DeadLetterPublisher implements DeadLetterSink {
  private producer: Promise<Producer> | undefined;

  constructor(private readonly options: DeadLetterPublisherOptions) {}

  async publish(letters: readonly DeadLetter[], deadline: Deadline): Promise<void> {
    if (letters.length === 0) return;
    const failedAt = (this.options.now ?? (() => new Date()))();
    let cap = this.options.maxMessageBytes;
    let authRetried = false;
    for (;;) {
      const messages = letters.map((letter) => toDeadLetterMessage(letter, failedAt, cap));
      try {
        const producer = await this.connected(deadline);
        for (const chunk of chunkBySize(messages, Math.max(SEND_BUDGET_BYTES, cap))) {
          const timeout = deadline.timeoutFor(`publish dead letters to ${this.options.topic}`, SEND_TIMEOUT_MS);
          await withTimeout(
            producer.send({ topic: this.options.topic, acks: -1, timeout, compression: kafkajs().CompressionTypes.GZIP, messages: chunk }),
            timeout,
            () => new Error(`no acknowledgement within ${timeout} ms`),
          );
        }
        return;
      } catch (error) {
        if (isTooLarge(error) && cap > MIN_DEAD_LETTER_BYTES) {
          cap = Math.max(MIN_DEAD_LETTER_BYTES, Math.floor(cap / 4));
          continue;
        }
        this.reset(error);
        // Refused credentials after a rotation: the reset re-reads the secrets; try once more.
        if (isAuthFailure(error) && !authRetried) {
          authRetried = true;
          continue;
        }
        if (error instanceof DeadLetterPublishError) throw error;
        throw new DeadLetterPublishError(
          `could not publish ${letters.length} dead letter(s) to ${this.options.topic} at ${this.options.kafka.brokers.join(',')} (KAFKA_BROKERS): ${(error as Error).message}`,
          { cause: error },
        );
      }
    }
  }

  /** Disconnects (tools and tests closing the handler), waiting at most {@link SEND_TIMEOUT_MS}. */
  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    if (!producer) return;
    const disconnected = producer.then((p) => p.disconnect()).catch(() => undefined);
    await withTimeout(disconnected, SEND_TIMEOUT_MS, () => new Error('disconnect timed out')).catch(() => undefined);
  }

  private connected(deadline: Deadline): Promise<Producer> {
    if (!this.producer) {
      const connecting = (async () => {
        const producer = await (this.options.createProducer ?? createProducer)(this.options.kafka);
        const timeout = deadline.timeoutFor(`connect to Kafka for ${this.options.topic}`, SEND_TIMEOUT_MS);
        await withTimeout(producer.connect(), timeout, () => new Error(`could not connect within ${timeout} ms`)).catch((error: unknown) => {
          // Not awaited: a broker that never answers would hold the disconnect past the deadline too.
          void producer.disconnect().catch(() => undefined);
          throw error;
        });
        return producer;
      })();
      this.producer = connecting;
    }
    return this.producer;
  }

  /**
   * A failed or timed-out producer is not reused: the next batch connects afresh (with fresh
   * secrets after an auth failure). It is disconnected in the background: a broker that stopped
   * answering would hold the disconnect, and with it the invocation, past its deadline.
   */
  private reset(error: unknown): void {
    if (isAuthFailure(error)) forgetKafkaSecrets(this.options.kafka);
    const producer = this.producer;
    this.producer = undefined;
    void producer?.then((p) => p.disconnect()).catch(() => undefined);
  }
}
