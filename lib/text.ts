/**
 * Text that goes where only well-formed Unicode is accepted: ClickHouse refuses a string with a
 * lone UTF-16 surrogate in JSON input (CANNOT_PARSE_ESCAPE_SEQUENCE), so a message cut inside an
 * emoji, or text that was never valid, would fail the whole insert — and with it the batch, on
 * every delivery.
 */

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;

/** At most `max` UTF-16 units of `text` (plus `…` when cut), never ending inside a surrogate pair. */
export function clipText(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = max > 0 && isHighSurrogate(text.charCodeAt(max - 1)) ? max - 1 : max;
  return `${text.slice(0, end)}…`;
}

/** `text` with every lone surrogate replaced by U+FFFD, as UTF-8 encoders do; unchanged when already well formed. */
export const wellFormed = (text: string): string => (text.isWellFormed() ? text : text.toWellFormed());

/** A row whose string values are all well formed (see {@link wellFormed}); other values unchanged. */
export function wellFormedRow<T extends Record<string, unknown>>(row: T): T {
  let copy: Record<string, unknown> | undefined;
  for (const [name, value] of Object.entries(row)) {
    if (typeof value === 'string' && !value.isWellFormed()) (copy ??= { ...row })[name] = value.toWellFormed();
  }
  return (copy ?? row) as T;
}
