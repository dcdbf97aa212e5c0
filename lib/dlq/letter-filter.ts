import type { DlqPosition, Letter } from './letter';

/** A source record, as `--record TOPIC:PARTITION:OFFSET` names it. */
export interface SourceRecordRef {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
}

/** Which letters to pick; every field set must match (they combine with AND). */
export interface LetterFilter {
  /** A PoisonCode, one of Lambda's conditions, or a whole kind: `LAMBDA`, `UNKNOWN`. */
  readonly reason?: string;
  /** Handler (table); for Lambda's letters, the table of their source topic. */
  readonly table?: string;
  /** Positions on the DLQ topic (`--offset`). */
  readonly positions?: readonly DlqPosition[];
  /** Letters about any of these source records (`--record`). */
  readonly records?: readonly SourceRecordRef[];
  /** Failed at or after. */
  readonly since?: Date;
}

const KIND_LABEL: Record<Letter['kind'], string> = { ours: 'HANDLER', lambda: 'LAMBDA', unknown: 'UNKNOWN' };

/** The label of a letter's kind in listings and for `--reason`: HANDLER, LAMBDA or UNKNOWN. */
export const kindLabel = (letter: Letter): string => KIND_LABEL[letter.kind];

export const isFiltered = (filter: LetterFilter): boolean =>
  Boolean(filter.reason || filter.table || filter.positions?.length || filter.records?.length || filter.since);

export function matchesFilter(letter: Letter, filter: LetterFilter): boolean {
  if (filter.reason && filter.reason !== letter.reason && filter.reason !== kindLabel(letter)) return false;
  if (filter.table && filter.table !== letter.table) return false;
  if (filter.positions?.length) {
    const at = letter.position;
    if (!at || !filter.positions.some((p) => p.partition === at.partition && p.offset === at.offset)) return false;
  }
  if (filter.records?.length) {
    const about = (r: SourceRecordRef) => letter.sources.some((s) => s.topic === r.topic && s.partition === r.partition && s.first <= r.offset && r.offset <= s.last);
    if (!filter.records.some(about)) return false;
  }
  if (filter.since && !(letter.failedAt && letter.failedAt >= filter.since)) return false;
  return true;
}
