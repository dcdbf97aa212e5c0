import type { OurLetter } from './letter';
import { isBase64, parseOurLetter, sourceOf } from './our-letter';
import { DlqUsageError } from './selectors';

interface JsonLine {
  kind?: string;
  partition?: number;
  offset?: string;
  key?: string | null;
  keyEncoding?: 'utf8' | 'base64';
  value?: unknown;
}

/**
 * The letters of an edited `inspect --json` file (`replay --file`): their `originalMessage` is
 * the user's fix and is sent as is. Only our letters can be edited this way.
 */
export function parseEditedLetters(text: string, name: string): OurLetter[] {
  return text.split('\n').flatMap((line, i) => {
    if (line.trim() === '') return [];
    const where = `${name}:${i + 1}`;
    let parsed: JsonLine;
    try {
      parsed = JSON.parse(line) as JsonLine;
    } catch (error) {
      throw new DlqUsageError(`${where} is not JSON (${(error as Error).message})`);
    }
    if (parsed.kind !== undefined && parsed.kind !== 'ours') {
      throw new DlqUsageError(`${where} is a ${parsed.kind} letter, which has no originalMessage to edit; replay it with --offset ${parsed.partition ?? 'P'}:${parsed.offset ?? 'O'}`);
    }
    const value = parseOurLetter(parsed.value);
    if (!value) throw new DlqUsageError(`${where} is not a dead letter line from \`npm run dlq -- inspect --json\` (its value lacks originalMessage, source or error)`);
    if (parsed.keyEncoding === 'base64' && typeof parsed.key === 'string' && !isBase64(parsed.key)) throw new DlqUsageError(`${where}: key is not valid base64 although keyEncoding is base64`);
    const key = parsed.key === null || parsed.key === undefined ? null : Buffer.from(parsed.key, parsed.keyEncoding === 'base64' ? 'base64' : 'utf8');
    const position = typeof parsed.partition === 'number' && typeof parsed.offset === 'string' ? { partition: parsed.partition, offset: parsed.offset } : undefined;
    return [{ kind: 'ours' as const, position, key, reason: value.error.code, table: value.handler, sources: [sourceOf(value)], value, raw: parsed.value, edited: true }];
  });
}
