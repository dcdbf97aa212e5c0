import { z } from 'zod';

/** ISO-8601 date-time with `Z` or an offset, e.g. `2024-01-01T00:00:00.000Z`. */
export const isoDateTime = () => z.iso.datetime({ offset: true });

export const recordId = () => z.uuid();

const hasAtMostTwoDecimals = (value: number): boolean =>
  Math.abs(Math.round(value * 100) - value * 100) < 1e-6;

/** A non-negative money amount with at most two decimal places (stored as `Decimal(18, 2)`). */
export const money = () =>
  z
    .number()
    .finite()
    .nonnegative()
    .max(9_999_999_999_999_999.99)
    .refine(hasAtMostTwoDecimals, { message: 'must have at most 2 decimal places' });

/** Rounds to cents, removing binary floating point noise (0.1 + 0.2 → 0.3). */
export const roundToCents = (value: number): number => Math.round(value * 100) / 100;
