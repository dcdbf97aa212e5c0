import { parseReason, REASON_CODES } from '../../../../lib/dlq/reasons';

describe('--reason takes only the reasons a letter can have', () => {
  it('accepts poison codes, Lambda conditions and the kinds', () => {
    for (const reason of ['SCHEMA_VALIDATION', 'RetryAttemptsExhausted', 'HANDLER', 'LAMBDA', 'UNKNOWN']) expect(parseReason(reason)).toBe(reason);
  });

  it('refuses anything else in one line listing every known reason, with a hint for a wrong case', () => {
    expect(() => parseReason('SCHEMA')).toThrow(`--reason "SCHEMA" is not a known reason: use one of ${REASON_CODES.join(', ')}`);
    expect(() => parseReason('schema_validation')).toThrow(/^--reason "schema_validation" is not a known reason \(did you mean SCHEMA_VALIDATION\?\): use one of EMPTY_VALUE, /);
  });
});
