import * as z from 'zod/mini';
import { numberLiteralReader, type JsonPath } from '../json-number-literals';

/**
 * What a number field requires of the literal the producer wrote. `JSON.parse` rounds every number
 * to a double before the schema sees it: `19.9900000000000001`, `9999999999999.9899` and
 * `5000000000000.0001` arrive as 19.99, 9999999999999.99 and 5000000000000 — values a check on the
 * double accepts. A field builder that must not accept them registers its rule here (`money()`
 * does); every table built from that builder gets the literal check, nothing else to wire.
 */
export interface NumberLiteralRule {
  /** At most this many decimal places, trailing zeros not counted (`19.990` has 2). */
  readonly maxFractionDigits: number;
  /**
   * The largest value, as decimal text, compared exactly. At most 15 significant digits, which a
   * double carries exactly: the schema's own check on the double then judges every literal the
   * pre-check lets through without reading it.
   */
  readonly max: string;
}

/**
 * Where field builders declare their literal rule; tables find the fields by walking their schema.
 *
 * @example
 * const cents = () => z.number().check(z.nonnegative()).register(numberLiteralRules, { maxFractionDigits: 2, max: '9999999999999.99' });
 */
export const numberLiteralRules = z.registry<NumberLiteralRule>();

/** A field whose literal has a rule, at its path in the record (`['data', 'price']`). */
export interface NumberLiteralField {
  readonly path: JsonPath;
  readonly rule: NumberLiteralRule;
}

export interface NumberLiteralIssue {
  readonly path: JsonPath;
  readonly message: string;
}

/** The literal checks of one record schema. */
export interface NumberLiteralCheck {
  readonly fields: readonly NumberLiteralField[];
  /**
   * A cheap test of the JSON text: false when no member value in it is a number with more
   * fraction digits than a rule allows or with an exponent — then the schema's checks on the
   * doubles are exact and no literal needs reading. Strings that look like such numbers, and
   * unknown fields that are, only cost a needless {@link issues}.
   */
  mayBreak(json: string): boolean;
  /** The fields whose literal breaks its rule, read from the JSON text. */
  issues(json: string): NumberLiteralIssue[];
}

/** The literal checks `schema` needs, or undefined when none of its fields has a rule. */
export function numberLiteralCheck(schema: z.core.$ZodType): NumberLiteralCheck | undefined {
  const fields: NumberLiteralField[] = [];
  collect(schema, [], fields);
  if (fields.length === 0) return undefined;
  for (const { path, rule } of fields) {
    if (significantDigits(rule.max) > 15) throw new Error(`${path.join('.')}: a number literal rule's max needs at most 15 significant digits, not ${rule.max}`);
  }
  const fractionDigits = Math.max(...fields.map((f) => f.rule.maxFractionDigits)) + 1;
  // A field with a rule is an object member (collect refuses arrays): its literal follows a ':' and
  // ends before whitespace, ',' or '}'. Anchored on ':', the test skips most of the text; the end
  // tells a number from a timestamp's "…:45.803Z".
  const suspicious = new RegExp(`:\\s*-?\\d+(?:\\.\\d{${fractionDigits},}(?:[eE][+-]?\\d+)?|(?:\\.\\d+)?[eE][+-]?\\d+)\\s*[,}]`);
  const read = numberLiteralReader(fields.map((f) => f.path));
  return {
    fields,
    mayBreak: (json) => suspicious.test(json),
    issues(json) {
      const literals = read(json);
      const issues: NumberLiteralIssue[] = [];
      for (let i = 0; i < fields.length; i++) {
        const literal = literals[i];
        const message = literal === undefined ? undefined : numberLiteralBreach(literal, fields[i]!.rule);
        if (message !== undefined) issues.push({ path: fields[i]!.path, message });
      }
      return issues;
    },
  };
}

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'nonoptional', 'readonly', 'catch']);
const UNSUPPORTED = new Set(['array', 'tuple', 'record', 'map', 'set', 'union', 'intersection']);

/** Walks objects, pipes (their input side) and wrappers down to the fields that have a rule. */
function collect(schema: z.core.$ZodType, path: string[], fields: NumberLiteralField[], inside?: string): void {
  const rule = numberLiteralRules.get(schema);
  if (rule !== undefined) {
    // Refused loudly at build time rather than a rule that silently does not apply.
    if (inside !== undefined) throw new Error(`${path.join('.')}: a field with a number literal rule inside ${inside} is not supported`);
    fields.push({ path, rule });
    return;
  }
  const def = (schema as z.core.$ZodTypes)._zod.def;
  if (def.type === 'object') {
    for (const [key, field] of Object.entries(def.shape)) collect(field, [...path, key], fields, inside);
  } else if (def.type === 'pipe') {
    collect(def.in, path, fields, inside);
  } else if (WRAPPERS.has(def.type)) {
    collect((def as { innerType: z.core.$ZodType }).innerType, path, fields, inside);
  } else if (UNSUPPORTED.has(def.type)) {
    const inner = [
      ...('element' in def ? [def.element] : []),
      ...('items' in def ? def.items : []),
      ...('valueType' in def ? [def.valueType] : []),
      ...('options' in def ? def.options : []),
      ...('left' in def ? [def.left, def.right] : []),
    ] as z.core.$ZodType[];
    for (const s of inner) collect(s, path, fields, inside ?? `a ${def.type}`);
  }
}

/** A JSON number literal as an exact decimal: digits without leading or trailing zeros, and where the point is. */
interface Decimal {
  readonly negative: boolean;
  /** Empty for zero. */
  readonly digits: string;
  /** The value is 0.`digits` × 10^`exponent`. */
  readonly exponent: number;
}

function decimalOf(literal: string): Decimal {
  const negative = literal.charCodeAt(0) === 0x2d;
  const lower = literal.indexOf('e');
  const e = lower >= 0 ? lower : literal.indexOf('E');
  const mantissa = literal.slice(negative ? 1 : 0, e < 0 ? undefined : e);
  // `Number` of a huge exponent is ±Infinity: the literal is then refused, never expanded.
  const shift = e < 0 ? 0 : Number(literal.slice(e + 1));
  const dot = mantissa.indexOf('.');
  const all = dot < 0 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
  let start = 0;
  while (start < all.length && all.charCodeAt(start) === 0x30) start++;
  let end = all.length;
  while (end > start && all.charCodeAt(end - 1) === 0x30) end--;
  const digits = all.slice(start, end);
  return { negative, digits, exponent: digits === '' ? 0 : (dot < 0 ? mantissa.length : dot) - start + shift };
}

const significantDigits = (decimal: string) => decimalOf(decimal).digits.length;

/** Compares two non-negative decimals exactly. */
function compare(a: Decimal, b: Decimal): number {
  if (a.digits === '' || b.digits === '') return a.digits === b.digits ? 0 : a.digits === '' ? -1 : 1;
  if (a.exponent !== b.exponent) return a.exponent < b.exponent ? -1 : 1;
  const width = Math.max(a.digits.length, b.digits.length);
  const x = a.digits.padEnd(width, '0');
  const y = b.digits.padEnd(width, '0');
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A long literal is quoted by its start: a dead letter's message stays short. */
const quote = (literal: string) => (literal.length <= 40 ? literal : `${literal.slice(0, 32)}… (${literal.length} characters)`);

/** Why `literal` breaks `rule`, or undefined when it does not. The sign is the schema's business. */
export function numberLiteralBreach(literal: string, rule: NumberLiteralRule): string | undefined {
  const value = decimalOf(literal);
  if (value.digits.length - value.exponent > rule.maxFractionDigits) return `must have at most ${rule.maxFractionDigits} decimal places, got ${quote(literal)}`;
  if (!value.negative && compare(value, decimalOf(rule.max)) > 0) return `must be at most ${rule.max}, got ${quote(literal)}`;
  return undefined;
}
