import * as z from 'zod/mini';
import { numberLiteralRules } from './number-literals';

/**
 * Field rules shared by the table schemas. Each one accepts only what its ClickHouse column can
 * store exactly, so a value is either written as sent or dead-lettered with a precise message —
 * never altered silently (the few normalisations are named where they happen and in the README).
 */

/** `DateTime64(3, 'UTC')` range, in milliseconds since the epoch. */
export const MIN_DATETIME_MS = Date.UTC(1900, 0, 1);
export const MAX_DATETIME_MS = Date.UTC(2299, 11, 31, 23, 59, 59, 999);

/** ISO-8601 (any offset) → `YYYY-MM-DD hh:mm:ss.sss` in UTC, the `DateTime64(3, 'UTC')` text form. */
export const toClickHouseDateTime = (value: number | Date): string => {
  const iso = (typeof value === 'number' ? new Date(value) : value).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
};

/**
 * An ISO-8601 date-time with `Z` or an offset, within `DateTime64(3)`'s range, output as UTC text
 * for ClickHouse. Normalisations: the offset is converted to UTC; digits below the millisecond
 * are truncated (the column stores milliseconds).
 */
export const timestamp = () =>
  z.pipe(
    z.iso.datetime({ offset: true }),
    z.transform((value: string, ctx) => {
      const utc = utcClickHouseText(value);
      if (utc !== undefined) return utc;
      const ms = Date.parse(value);
      if (!(ms >= MIN_DATETIME_MS && ms <= MAX_DATETIME_MS)) {
        ctx.issues.push({ code: 'custom', input: value, message: 'must be between 1900-01-01T00:00:00Z and 2299-12-31T23:59:59.999Z' });
        return z.NEVER;
      }
      return toClickHouseDateTime(ms);
    }),
  );

/**
 * The ClickHouse text of an already validated ISO date-time in UTC (`…Z`, the common case) by
 * slicing, without Date objects; undefined for other offsets or years outside 1900–2299.
 */
function utcClickHouseText(iso: string): string | undefined {
  if (iso.charCodeAt(iso.length - 1) !== 90 /* Z */ || iso.length < 20) return undefined;
  const year = Number(iso.slice(0, 4));
  if (year < 1900 || year > 2299) return undefined;
  const fraction = iso.length > 21 ? iso.slice(20, Math.min(23, iso.length - 1)) : '';
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${fraction.padEnd(3, '0')}`;
}

/** A UUID; stored by ClickHouse in canonical lower case (normalisation). */
export const uuid = () => z.pipe(z.uuid(), z.transform((value: string) => value.toLowerCase()));

/** Index of the first lone UTF-16 surrogate, or -1 when the string is well-formed Unicode. */
export function loneSurrogateAt(value: string): number {
  if (value.isWellFormed()) return -1;
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
      else return i;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) return i;
  }
  return -1;
}

/** Why a string is not valid Unicode: a lone surrogate cannot be encoded as UTF-8. */
export const loneSurrogateMessage = (value: string, at: number): string =>
  `is not valid Unicode: lone UTF-16 surrogate \\u${value.charCodeAt(at).toString(16)} at character ${at} (a truncated emoji?)`;

/** Text stored verbatim: well-formed Unicode, 1..`max` UTF-16 units, not blank. */
export const text = (max: number) =>
  z.string().check(
    z.maxLength(max),
    z.superRefine((value: string, ctx) => {
      const at = loneSurrogateAt(value);
      if (at >= 0) ctx.addIssue({ code: 'custom', message: loneSurrogateMessage(value, at) });
      else if (value.trim() === '') ctx.addIssue({ code: 'custom', message: 'must not be empty or blank' });
    }),
  );

/**
 * The largest amount a JSON number carries exactly with cents: 15 significant digits are the most
 * a double holds for every decimal value, so 13 before the point and 2 after.
 */
export const MAX_MONEY_TEXT = '9999999999999.99';
export const MAX_MONEY = Number(MAX_MONEY_TEXT);
export const MAX_MONEY_CENTS = 999_999_999_999_999;

/**
 * A non-negative amount with at most two decimals, stored exactly as `Decimal(18, 2)`. The checks
 * below judge the double `JSON.parse` made; the registered rule judges the literal the producer
 * wrote (`19.9900000000000001` is the double 19.99), read from the record's text when it holds a
 * number with more decimals or an exponent (see `number-literals.ts`).
 */
export const money = () =>
  z
    .number()
    .check(
      z.nonnegative(),
      z.maximum(MAX_MONEY, { message: `must be at most ${MAX_MONEY_TEXT} (larger amounts cannot be carried exactly in a JSON number)` }),
      z.refine((value: number) => Number(value.toFixed(2)) === value, { message: 'must have at most 2 decimal places' }),
    )
    .register(numberLiteralRules, { maxFractionDigits: 2, max: MAX_MONEY_TEXT });

/** Exact cents of a validated money amount. */
export const toCents = (value: number): number => Math.round(value * 100);

/** An integer column of ClickHouse type `UInt8` / `UInt32`: larger values would wrap silently. */
export const unsigned = (max: number, min = 0) => z.int().check(z.minimum(min), z.maximum(max));
export const UINT32_MAX = 4_294_967_295;
