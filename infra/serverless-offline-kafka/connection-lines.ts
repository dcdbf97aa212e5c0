/** What the local commands print when the event-source emulator loses and regains Kafka. */
export const kafkaLostLine = (brokers: readonly string[], error: Error): string =>
  `Lost the Kafka brokers at ${brokers.join(',')} (KAFKA_BROKERS): ${error.message}. Retrying until they answer; ` +
  'is the local stack running? Check with `npm run stack:status`.';

export const KAFKA_BACK_LINE = 'Kafka answers again; consuming.';
