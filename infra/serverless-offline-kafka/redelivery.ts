/**
 * How a batch is delivered again after the handler failed on it:
 * - `identical`: the same records (what most people expect, and the default);
 * - `resplit`: what AWS may also do, since on-demand mappings promise no identical retries: the
 *   retry batch grows with records that arrived meanwhile (up to the batch size) or is cut
 *   shorter. Tests turn it on so that handlers are exercised against re-split redelivery.
 * Either way a retry starts at the first record that has not succeeded: nothing is skipped or
 * reordered within a partition.
 */
export const REDELIVERY_MODES = ['identical', 'resplit'] as const;
export type RedeliveryMode = (typeof REDELIVERY_MODES)[number];

export const isRedeliveryMode = (value: unknown): value is RedeliveryMode => REDELIVERY_MODES.includes(value as RedeliveryMode);

/** The last attempt on the batch that starts at the same offset, which failed. */
export interface FailedAttempt {
  readonly size: number;
  /** 1 for the first delivery, 2 for the first retry, … */
  readonly attempt: number;
}

export interface BatchPlanInput {
  readonly mode: RedeliveryMode;
  /** The mapping's `batchSize`: at most this many records per event. */
  readonly batchSize: number;
  /** Records at hand from the first undelivered offset on (at least 1). */
  readonly available: number;
  readonly failed?: FailedAttempt;
  /** Varies the cuts between partitions and offsets, deterministically (e.g. `topic/partition/offset`). */
  readonly seed: string;
}

/** FNV-1a: a stable, well-spread hash, so re-split runs are reproducible. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** How many records the next event for a partition holds. */
export function planBatchSize(input: BatchPlanInput): number {
  const limit = Math.max(1, Math.min(input.batchSize, input.available));
  const { failed } = input;
  if (!failed) return limit;
  const previous = Math.min(failed.size, limit);
  if (input.mode === 'identical') return previous;

  const h = hash(`${input.seed}#${failed.attempt}`);
  const grow = limit;
  const halve = Math.ceil(previous / 2);
  const cut = previous > 1 ? 1 + (h % (previous - 1)) : 1;
  // Start from a different kind of change on every attempt; fall through to the next kind when
  // one would give the same size (nothing new arrived, or a batch of one cannot be cut).
  const candidates = [grow, halve, cut];
  for (let i = 0; i < candidates.length; i++) {
    const size = candidates[(h + failed.attempt + i) % candidates.length]!;
    if (size !== previous) return size;
  }
  return previous;
}
