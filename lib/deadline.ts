import { TransientError } from './errors';

/** Without a Lambda context (tests, CLIs) an invocation gets this long. */
export const DEFAULT_INVOCATION_BUDGET_MS = 60_000;

/**
 * Kept free at the end of every invocation for the failure path: logging the error, emitting the
 * failure metric and returning, so a Lambda never ends in a silent timeout.
 */
export const reservedMs = (totalMs: number): number => Math.min(1_000, Math.max(50, Math.floor(totalMs * 0.1)));

/**
 * The time an invocation may still spend on I/O. Every ClickHouse and Kafka call takes its timeout
 * from here, so the handler fails with a `TransientError` (logged and counted) before Lambda
 * would kill it.
 */
export class Deadline {
  private constructor(
    private readonly endsAt: number,
    private readonly now: () => number,
  ) {}

  /** From the Lambda context when it has `getRemainingTimeInMillis`, else a default budget. */
  static fromContext(context: { getRemainingTimeInMillis?: () => number } | undefined, now: () => number = Date.now): Deadline {
    const remaining = typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : DEFAULT_INVOCATION_BUDGET_MS;
    return Deadline.in(remaining, now);
  }

  /** `totalMs` from now, minus the reserve for the failure path. */
  static in(totalMs: number, now: () => number = Date.now): Deadline {
    return new Deadline(now() + Math.max(0, totalMs - reservedMs(totalMs)), now);
  }

  /** A deadline that never constrains (tools that are not bound by a Lambda timeout). */
  static none(): Deadline {
    return new Deadline(Number.POSITIVE_INFINITY, Date.now);
  }

  remainingMs(): number {
    return Math.max(0, this.endsAt - this.now());
  }

  /**
   * The timeout for the next call: at most `limitMs`, never past the deadline. Throws a
   * `TransientError` when no time is left, so no call starts that could not finish.
   */
  timeoutFor(what: string, limitMs: number): number {
    const remaining = this.remainingMs();
    if (remaining <= 0) throw new TransientError(`no time left in this invocation to ${what}; the batch will be redelivered`);
    return Math.max(1, Math.min(limitMs, remaining));
  }

  /** An AbortSignal that fires when the call's timeout (see {@link timeoutFor}) passes. */
  signalFor(what: string, limitMs: number): AbortSignal {
    return AbortSignal.timeout(this.timeoutFor(what, limitMs));
  }
}

/**
 * `promise`, or a rejection with the signal's reason as soon as `signal` aborts. A client that stops
 * listening to its signal half-way — a response whose headers came but whose body stalls — then
 * still cannot outlast the deadline.
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Races `promise` against `timeoutMs`; on timeout throws `onTimeout()`. The operation itself keeps
 * running (kafkajs has no cancellation), which is safe only for idempotent or at-least-once effects.
 */
export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), timeoutMs);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}
