import { readFileSync } from 'node:fs';
import type { OurLetter } from '../../lib/dlq/letter';
import { parseEditedLetters } from '../../lib/dlq/edited-letters';

/** `--file` names no file the letters can be read from; the message names the file and what is wrong with it. */
export class LettersFileError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LettersFileError';
  }
}

/** What a failed read of `--file` means to the user (Node's own `ENOENT: no such file or directory, open …` names no flag). */
const WHY: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
};

/** The letters of `replay --file PATH`; a file that cannot be read or holds none is a {@link LettersFileError}. */
export function readLettersFile(path: string): OurLetter[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    throw new LettersFileError(`cannot read --file ${path}: ${WHY[code] ?? (error as Error).message}`, { cause: error });
  }
  const letters = parseEditedLetters(text, path);
  if (letters.length === 0) throw new LettersFileError(`--file ${path} holds no letters (write the lines of inspect --json you want to replay)`);
  return letters;
}
