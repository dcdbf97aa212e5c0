/**
 * Error types shared by the pipeline. Poison records are data (a {@link PoisonCode} on a
 * dead letter), never exceptions; exceptions mean "this invocation must fail so the event
 * source mapping delivers the batch again" or "the configuration is wrong".
 */

/** Why a record can never succeed. One code per rule; the DLQ consumer branches on it. */
export const PoisonCode = {
  /** The record value is absent or null (a tombstone): there is nothing to insert. */
  EMPTY_VALUE: 'EMPTY_VALUE',
  /** The value bytes are not valid UTF-8 (or not valid base64 in the Lambda event). */
  UNDECODABLE: 'UNDECODABLE',
  /** The value is larger than the per-record limit. */
  OVERSIZE: 'OVERSIZE',
  /** The value is UTF-8 text but not JSON. */
  INVALID_JSON: 'INVALID_JSON',
  /** The envelope or the table's `data` breaks its schema. */
  SCHEMA_VALIDATION: 'SCHEMA_VALIDATION',
  /** The envelope names another table than the handler's own. */
  TABLE_MISMATCH: 'TABLE_MISMATCH',
  /** ClickHouse refused the row for its data (isolated by splitting the insert). */
  CLICKHOUSE_REJECTED: 'CLICKHOUSE_REJECTED',
} as const;
export type PoisonCode = (typeof PoisonCode)[keyof typeof PoisonCode];

/** Base class: every error this project throws on purpose is one of these. */
export class PipelineError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PipelineError';
  }
}

/** A configuration value is missing or invalid; `variable` names the env var to fix. */
export class ConfigError extends PipelineError {
  readonly variable: string;
  constructor(variable: string, message: string, options?: ErrorOptions) {
    super(`Invalid configuration: ${variable} ${message}`, options);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

/**
 * The batch could not be completed now but may succeed later (ClickHouse or Kafka unreachable,
 * timeouts, overload). The handler rethrows it so the event source mapping retries the batch.
 */
export class TransientError extends PipelineError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TransientError';
  }
}

/** Publishing dead letters failed: the batch must be retried, poison is never dropped. */
export class DeadLetterPublishError extends TransientError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DeadLetterPublishError';
  }
}

/** The Lambda event is not the event the function expects (wrong trigger wiring, a malformed invoke payload). */
export class InvalidEventError extends PipelineError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidEventError';
  }
}

/**
 * A ClickHouse failure that retrying alone will not fix (missing table, wrong credentials). The
 * batch still fails and waits for redelivery: nothing is dropped while an operator fixes it.
 */
export class ClickHouseWriteError extends PipelineError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ClickHouseWriteError';
  }
}

/**
 * Every row of a batch was rejected with the same error: the table no longer matches the records
 * (a changed column type, a dropped column), so dead-lettering them would throw good data away.
 * The batch waits for the fix.
 */
export class ClickHouseSchemaMismatchError extends ClickHouseWriteError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ClickHouseSchemaMismatchError';
  }
}
