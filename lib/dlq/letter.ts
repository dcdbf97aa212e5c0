/** Kafka headers as kafkajs reads and writes them. */
export type RecordHeaders = Readonly<Record<string, Buffer | string | Array<Buffer | string>>>;

/** An original record a dead letter is about, with its bytes (embedded in a letter or re-read). */
export interface OriginalRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: RecordHeaders;
}

/** Offsets `first`..`last` (both included) of one source partition that a letter is about. */
export interface SourceRange {
  readonly topic: string;
  readonly partition: number;
  readonly first: bigint;
  readonly last: bigint;
}

/** Where a letter sits on the DLQ topic; written `partition:offset` everywhere (flags, headers, listing). */
export interface DlqPosition {
  readonly partition: number;
  readonly offset: string;
}

export const formatPosition = (p: DlqPosition): string => `${p.partition}:${p.offset}`;

interface LetterBase {
  /** Absent for rows of the `dead_letters` table, which keep no DLQ position. */
  readonly position?: DlqPosition;
  /** The DLQ message key (our letters and Lambda's keep the original record's key). */
  readonly key: Buffer | null;
  /** Our PoisonCode, Lambda's `condition`, or `UNKNOWN`. */
  readonly reason: string;
  /** The table (handler) the records were meant for, when known. */
  readonly table?: string;
  readonly failedAt?: Date;
  /** The source records the letter is about (empty when it names none). */
  readonly sources: readonly SourceRange[];
}

/** The value our handlers write (design.md "Dead-letter records"; newer fields optional). */
export interface OurLetterValue {
  readonly originalMessage: string | null;
  readonly originalEncoding: 'utf8' | 'base64';
  readonly originalBytes?: number;
  readonly originalSha256?: string;
  readonly originalTruncated?: boolean;
  readonly source: {
    readonly topic: string;
    readonly partition: number;
    readonly offset: string;
    readonly timestamp?: number;
    readonly key?: string | null;
    readonly keyTruncated?: boolean;
  };
  readonly error: { readonly code: string; readonly message: string; readonly issues: readonly unknown[] };
  readonly failureReason?: string;
  readonly failedAt?: string;
  readonly handler?: string;
  readonly requestId?: string;
}

/** A letter written by our handlers (from `dlq-topic`, the `dead_letters` table, or an edited `--file` line). */
export interface OurLetter extends LetterBase {
  readonly kind: 'ours';
  readonly value: OurLetterValue;
  /** The JSON as stored, unknown fields included, for `inspect --json`. */
  readonly raw: unknown;
  /** From an edited `inspect --json` line: its `originalMessage` is the user's fix, sent as is. */
  readonly edited?: boolean;
}

/** What Lambda's event source mapping wrote after giving up on a batch (its on-failure record). */
export interface LambdaFailure {
  readonly condition: string;
  readonly functionArn?: string;
  readonly requestId?: string;
  readonly approximateInvokeCount?: number;
  readonly batchSize?: number;
  /** The failed records carried in `payload` (Kafka and S3 destinations); absent when Lambda sent only metadata. */
  readonly embedded?: readonly OriginalRecord[];
  /** Why the records cannot be located, when the letter names neither a payload nor topic and partition. */
  readonly unlocated?: string;
}

export interface LambdaLetter extends LetterBase {
  readonly kind: 'lambda';
  readonly failure: LambdaFailure;
  readonly raw: unknown;
}

/** Anything else on the topic: never a crash, never replayed. */
export interface UnknownLetter extends LetterBase {
  readonly kind: 'unknown';
  /** Why it is not a letter this tool knows, e.g. `not JSON`. */
  readonly why: string;
  /** The start of the value, printable. */
  readonly preview: string;
  /** The value as UTF-8 text, or base64 when it is not UTF-8 (for `inspect --json`). */
  readonly text: string | null;
  readonly encoding: 'utf8' | 'base64';
}

export type Letter = OurLetter | LambdaLetter | UnknownLetter;

export const describeRange = (r: SourceRange): string =>
  `${r.topic}[${r.partition}]@${r.first === r.last ? r.first : `${r.first}..${r.last}`}`;
