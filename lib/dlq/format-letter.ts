import { encodeOriginal } from '../kafka/dead-letter-message';
import { describeRange, formatPosition, type Letter } from './letter';

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
