import { encodeOriginal } from '../kafka/dead-letter-message';
import { describeRange, formatPosition, type Letter } from './letter';
import { kindLabel } from './letter-filter';
import type { ReplayOutcome } from './reread-originals';

const functionName = (arn: string | undefined) => arn?.split(':function:')[1]?.split(':')[0];

function description(letter: Letter): string {
  switch (letter.kind) {
    case 'ours': {
      const v = letter.value;
      const text = v.failureReason ?? v.error.message;
      return v.originalTruncated ? `${text} [original is ${v.originalBytes ?? '?'} bytes, truncated in the letter: replay re-reads it]` : text;
    }
    case 'lambda': {
      const f = letter.failure;
      const by = [functionName(f.functionArn) && `function ${functionName(f.functionArn)}`, f.approximateInvokeCount !== undefined && `${f.approximateInvokeCount} attempt(s)`]
        .filter(Boolean)
        .join(', ');
      const records = f.embedded ? `${f.embedded.length} record(s) in the letter` : letter.sources.length ? 'records to re-read from the source' : f.unlocated;
      return `Lambda on-failure record${by ? ` (${by})` : ''}: ${records}`;
    }
    case 'unknown':
      return `${letter.why}: ${letter.preview}`;
  }
}

/**
 * One listing line: where the letter is (`#partition:offset` on the DLQ topic, or its failure
 * time for a table row), table, reason, the source records, and why it failed.
 */
export function formatLetterLine(letter: Letter): string {
  const where = letter.position ? `#${formatPosition(letter.position)}` : (letter.failedAt?.toISOString() ?? '-');
  const sources = letter.sources.length ? letter.sources.map(describeRange).join(',') : '-';
  return [where, letter.table ?? '-', letter.reason, sources, description(letter)].join('  ');
}

/** One `inspect --json` line; lines of our letters, edited, are what `replay --file` reads. */
export function formatLetterJson(letter: Letter): string {
  const key = letter.key === null ? { key: null } : (({ text, encoding }) => (encoding === 'utf8' ? { key: text } : { key: text, keyEncoding: encoding }))(encodeOriginal(letter.key));
  const position = letter.position ? { partition: letter.position.partition, offset: letter.position.offset } : { source: 'table' };
  switch (letter.kind) {
    case 'ours':
    case 'lambda':
      return JSON.stringify({ kind: letter.kind, ...position, ...key, value: letter.raw });
    case 'unknown':
      return JSON.stringify({ kind: 'unknown', ...position, ...key, why: letter.why, value: letter.text, encoding: letter.encoding });
  }
}

/** The listing's last line: how many letters, and of which kinds when not only the handlers'. */
export function formatSummary(letters: readonly Letter[], where: string, filtered: boolean): string {
  const kinds = (['HANDLER', 'LAMBDA', 'UNKNOWN'] as const).map((k) => [k, letters.filter((l) => kindLabel(l) === k).length] as const).filter(([, n]) => n > 0);
  const split = kinds.length > 1 || (kinds.length === 1 && kinds[0]![0] !== 'HANDLER') ? ` (${kinds.map(([k, n]) => `${n} ${k}`).join(', ')})` : '';
  return `${letters.length} letter(s) in ${where}${filtered ? ' matching the filter' : ''}${split}.`;
}

/** What replay says about one letter: what it sends (stdout) and what it cannot (stderr). */
export function formatOutcome(outcome: ReplayOutcome, dryRun: boolean): { sent?: string; problem?: string } {
  const { letter, records, from, problem } = outcome;
  const id = letter.position ? `#${formatPosition(letter.position)}` : letter.sources.map(describeRange).join(',');
  const topics = [...new Set(records.map((r) => r.topic))].join(', ');
  return {
    sent: records.length ? `${id}: ${dryRun ? 'would send' : 'sending'} ${records.length} record(s) to ${topics} (${from === 'source' ? 're-read from the source topic' : 'from the letter'})` : undefined,
    problem: problem ? `${id}: cannot replay${records.length ? ' all of it' : ''}: ${problem}` : undefined,
  };
}
