/** Where a partition's position stood when the emulator refused to move on. */
export interface OutOfRangeDetails {
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
  /** The next offset the group had to deliver (its committed offset); undefined when it had none. */
  readonly expected?: bigint;
  /** The first and next-to-be-written offsets the log holds now (low and high watermarks). */
  readonly logStart: bigint;
  readonly logEnd: bigint;
  /** The lower offset the client fetched instead of `expected`, when it had already been reset. */
  readonly fetched?: bigint;
}

const range = (from: bigint, to: bigint) => (to - from === 1n ? `record ${from} is` : `records ${from}..${to - 1n} are`);

function explain(d: OutOfRangeDetails): string {
  const where = `${d.topic}[${d.partition}] (consumer group ${d.groupId})`;
  if (d.expected === undefined) {
    if (d.fetched !== undefined) {
    return `${where}: the client went back from offset ${d.expected} to ${d.fetched}, as a reset of an out-of-range offset does`;
  }
  return `${where}: the broker answered "offset out of range" before the group had committed anything (the log starts at ${d.logStart} and ends at ${d.logEnd})`;
  }
  if (d.expected < d.logStart) {
    return `${where}: ${range(d.expected, d.logStart)} gone from Kafka before the handler got them (the log now starts at ${d.logStart}); ${d.logStart - d.expected} record(s) lost`;
  }
  if (d.expected > d.logEnd) {
    return `${where}: the committed offset ${d.expected} is beyond the end of the log (${d.logEnd}); the records it stood for are gone`;
  }
  if (d.fetched !== undefined) {
    return `${where}: the client went back from offset ${d.expected} to ${d.fetched}, as a reset of an out-of-range offset does`;
  }
  return `${where}: the broker answered "offset out of range" for offset ${d.expected}, which the log holds (it starts at ${d.logStart} and ends at ${d.logEnd})`;
}

/**
 * The group's position is outside what the log holds. Kafka clients "recover" from this by
 * jumping to the earliest or latest offset, which silently skips or repeats records; the
 * emulator stops the partition instead, keeps the committed offset, and says what is missing.
 */
export class OffsetOutOfRangeError extends Error {
  override readonly name = 'OffsetOutOfRangeError';
  /** What is wrong, without the closing sentence (to list several partitions in one line). */
  readonly reason: string;

  constructor(
    readonly details: OutOfRangeDetails,
    options?: ErrorOptions,
  ) {
    const reason = explain(details);
    super(`${reason}. The partition is stopped and its committed offset kept; nothing after it is delivered.`, options);
    this.reason = reason;
  }
}

/** One error for every partition that stopped (the first one itself when it is alone). */
export function stoppedPartitionsError(stopped: readonly Error[]): Error {
  if (stopped.length === 1) return stopped[0]!;
  const reasons = stopped.map((e) => (e instanceof OffsetOutOfRangeError ? e.reason : e.message));
  return new Error(`${reasons.join('; ')}. These ${stopped.length} partitions are stopped and their committed offsets kept; nothing after them is delivered.`, { cause: stopped[0] });
}
