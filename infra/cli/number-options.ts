/**
 * Numbers on a command line, read strictly: what `Number()` lets through (`1e3`, `0x10`, ` 10`,
 * `10.0`, `''`) is a typo more often than a choice, so only plain decimal digits are taken.
 */
import { UsageError } from './describe-failure';

export interface NumberRange {
  readonly min: number;
  readonly max: number;
}

/** `--seed` of the producer and the seed command: a 32-bit signed integer. */
export const SEED_RANGE: NumberRange = { min: -(2 ** 31), max: 2 ** 31 - 1 };

const INTEGER = /^-?\d+$/;
const DECIMAL = /^\d+(\.\d+)?$|^\.\d+$/;

const mistake = (flag: string, kind: string, { min, max }: NumberRange, text: string) =>
  new UsageError(`--${flag} must be ${kind} from ${min} to ${max} (got ${JSON.stringify(text)})`);

/** `--flag N`: an integer in `range`, or undefined when the flag is absent. */
export function integerOption(flag: string, text: string | undefined, range: NumberRange): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!INTEGER.test(text) || !Number.isSafeInteger(value) || value < range.min || value > range.max) throw mistake(flag, 'an integer', range, text);
  return value;
}

/** `--flag X`: a decimal number (`0.25`, `.5`, `1`) in `range`, or undefined when the flag is absent. */
export function decimalOption(flag: string, text: string | undefined, range: NumberRange): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!DECIMAL.test(text) || value < range.min || value > range.max) throw mistake(flag, 'a number', range, text);
  return value;
}
