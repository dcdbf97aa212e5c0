import { PoisonCode } from '../errors';
import { DlqUsageError } from './selectors';

/**
 * The `condition` values of Lambda's failure records: stream and Kafka event source mappings
 * (`RetryAttemptsExhausted`, `RecordAgeExceeded`, `MaximumPayloadSizeExceeded`) and asynchronous
 * invocations (`RetriesExhausted`, `EventAgeExceeded`). `--reason LAMBDA` selects them all,
 * including any condition AWS adds later.
 */
export const LAMBDA_CONDITIONS = ['RetryAttemptsExhausted', 'RecordAgeExceeded', 'MaximumPayloadSizeExceeded', 'RetriesExhausted', 'EventAgeExceeded'] as const;

/** A whole kind of letter, as listings label it. */
export const LETTER_KINDS = ['HANDLER', 'LAMBDA', 'UNKNOWN'] as const;

/** Everything `--reason` accepts: our poison codes, Lambda's conditions, and the kinds. */
export const REASON_CODES: readonly string[] = [...Object.values(PoisonCode), ...LAMBDA_CONDITIONS, ...LETTER_KINDS];

/** `--reason`: one of {@link REASON_CODES}; a typo would otherwise select nothing, silently. */
export function parseReason(value: string): string {
  if (REASON_CODES.includes(value)) return value;
  const hint = REASON_CODES.find((code) => code.toLowerCase() === value.toLowerCase());
  throw new DlqUsageError(`--reason ${JSON.stringify(value)} is not a known reason${hint ? ` (did you mean ${hint}?)` : ''}: use one of ${REASON_CODES.join(', ')}`);
}
