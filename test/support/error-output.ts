/**
 * A passing test prints no error output. Loaded for every test file (jest `setupFilesAfterEnv`):
 * whatever reaches `console.error`, `console.warn` or `process.stderr` (Node's process warnings
 * included) fails the test that wrote it, unless the test captured it with
 * {@link captureErrorOutput} to assert on it. Output outside any test (module load, `beforeAll`,
 * `afterAll`) fails the file in `afterAll`.
 *
 * Child processes started by a test write to their own pipes and are not watched here.
 */
import { format } from 'node:util';

interface GuardState {
  /** Output the running test asked to receive. */
  captured: string[] | undefined;
  /** Output nobody asked for, since the last check. */
  unexpected: string[];
}

// On globalThis: a test that re-imports this module (jest.isolateModules) still talks to the one guard.
const KEY = Symbol.for('kafka-clickhouse-lambda.error-output');
const globals = globalThis as unknown as Record<symbol, GuardState | undefined>;
const state: GuardState = (globals[KEY] ??= { captured: undefined, unexpected: [] });

const record = (text: string): void => {
  (state.captured ?? state.unexpected).push(text);
};

/**
 * From now until the current test ends, error output is kept for the test instead of failing
 * it. Assert on it: an expected error that is no longer written is a change worth seeing.
 *
 * @example
 * const output = captureErrorOutput();
 * logger.error('batch failed');
 * expect(output.text()).toMatch(/"level":"ERROR"/);
 */
export function captureErrorOutput(): { text(): string } {
  const captured = (state.captured ??= []);
  return { text: () => captured.join('') };
}

function takeUnexpected(where: string): void {
  const output = state.unexpected.join('');
  state.unexpected = [];
  if (output === '') return;
  const shown = output.length > 4_000 ? `${output.slice(0, 4_000)}\n[… ${output.length - 4_000} more characters]` : output;
  throw new Error(`${where} wrote error output it did not capture; fix the cause, or capture and assert it with captureErrorOutput() from test/support/error-output.ts:\n${shown}`);
}

if (process.env.JEST_WORKER_ID !== undefined) {
  const stderr = process.stderr;
  const originalWrite = stderr.write;
  const originalError = console.error;
  const originalWarn = console.warn;

  // Installed now, not in beforeAll, so that output while the test file's imports load is seen too.
  stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    record(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof stderr.write;
  // Plain assignment, not jest.spyOn: a test's jest.restoreAllMocks() must not remove the guard.
  console.error = (...args: unknown[]) => record(`${format(...args)}\n`);
  console.warn = (...args: unknown[]) => record(`${format(...args)}\n`);

  beforeEach(() => takeUnexpected('Setup before this test (module load or beforeAll)'));

  afterEach(() => {
    state.captured = undefined;
    takeUnexpected('This test');
  });

  afterAll(() => {
    stderr.write = originalWrite;
    console.error = originalError;
    console.warn = originalWarn;
    takeUnexpected('This file, outside its tests,');
  });
}
