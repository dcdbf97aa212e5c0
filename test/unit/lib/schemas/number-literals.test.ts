import fc from 'fast-check';
import * as z from 'zod/mini';
import { tableDefinition } from '../../../../lib/schemas';
import { money } from '../../../../lib/schemas/fields';
import { numberLiteralBreach, numberLiteralCheck, numberLiteralRules, type NumberLiteralRule } from '../../../../lib/schemas/number-literals';
import { validRecord } from '../../../support/bad-input-corpus';

const MONEY: NumberLiteralRule = { maxFractionDigits: 2, max: '9999999999999.99' };

/** The money verdict computed another way: the exact value in BigInt cents. */
function moneyOracle(literal: string): 'ok' | 'decimals' | 'max' {
  const [, sign, int, frac = '', exp = '0'] = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(literal)!;
  const mantissa = BigInt(int + frac);
  const shift = Number(exp) - frac.length + 2; // cents = mantissa × 10^shift
  let cents: bigint;
  if (shift >= 0) cents = mantissa * 10n ** BigInt(shift);
  else {
    const divisor = 10n ** BigInt(-shift);
    if (mantissa % divisor !== 0n) return 'decimals';
    cents = mantissa / divisor;
  }
  return sign === '' && cents > 999_999_999_999_999n ? 'max' : 'ok';
}
const verdictOf = (message: string | undefined) => (message === undefined ? 'ok' : message.startsWith('must have at most') ? 'decimals' : 'max');

describe('numberLiteralBreach with the money rule', () => {
  it.each([
    '0', '-0', '-0.0', '0.00', '0.1', '0.10', '0.100', '19.990', '1e2', '1E-2', '1.5e-1', '123.456e1', '1.999e3', '1E+2', '9.99999999999999e12',
    '9999999999999.99', '9999999999999.990', '999999999999999e-2', '0e999999999', '0.000e-5', '-12.5',
  ])('accepts %s', (literal) => {
    expect(numberLiteralBreach(literal, MONEY)).toBeUndefined();
  });

  it.each([
    '19.991', '9999999999999.9899', '9999999999999.9901', '5000000000000.0001', '19.9900000000000001', '0.001', '1.23456e2', '1e-3', '123.4567e1',
    '1e-400', '-0.001', '9999999999999.991', '0.1000000000000000055511151231257827',
  ])('refuses %s for its decimal places, quoting it', (literal) => {
    expect(numberLiteralBreach(literal, MONEY)).toBe(`must have at most 2 decimal places, got ${literal}`);
  });

  it.each(['10000000000000', '10000000000000.00', '1e13', '1E400', '9999999999999.99e1', '12345678901234567890'])('refuses %s as above the maximum, quoting it', (literal) => {
    expect(numberLiteralBreach(literal, MONEY)).toBe(`must be at most 9999999999999.99, got ${literal}`);
  });

  it('quotes a long literal by its start', () => {
    const literal = `1.${'1'.repeat(100)}`;
    expect(numberLiteralBreach(literal, MONEY)).toBe(`must have at most 2 decimal places, got ${literal.slice(0, 32)}… (102 characters)`);
  });

  it('agrees with exact BigInt arithmetic on any literal', () => {
    const digits = (max: number) => fc.string({ unit: fc.constantFrom('0', '1', '5', '9'), minLength: 1, maxLength: max });
    const literal = fc
      .tuple(fc.boolean(), digits(18), fc.option(digits(20)), fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), fc.integer({ min: 0, max: 40 }))))
      .map(([negative, int, frac, exp]) => `${negative ? '-' : ''}${int.replace(/^0+(?=\d)/, '')}${frac === null ? '' : `.${frac}`}${exp === null ? '' : `${exp[0]}${exp[1]}${exp[2]}`}`);
    fc.assert(
      fc.property(literal, (l) => {
        expect(verdictOf(numberLiteralBreach(l, MONEY))).toBe(moneyOracle(l));
      }),
      { numRuns: 5_000 },
    );
  });
});

describe('numberLiteralCheck', () => {
  it('finds every money field of every table through the money() builder', () => {
    expect(tableDefinition('users').literals).toBeUndefined();
    expect(tableDefinition('products').literals?.fields).toEqual([{ path: ['data', 'price'], rule: MONEY }]);
    expect(tableDefinition('orders').literals?.fields).toEqual([
      { path: ['data', 'unit_price'], rule: MONEY },
      { path: ['data', 'total'], rule: MONEY },
    ]);
  });

  it('gives a new table with money the check for free, wherever money sits among objects, pipes and wrappers', () => {
    // Prepare
    const schema = z.object({
      data: z.pipe(
        z.object({ fee: z.nullish(money()), refund: z.optional(z.object({ amount: money() })), name: z.string() }),
        z.transform((v) => v),
      ),
    });
    // Act
    const check = numberLiteralCheck(schema);
    // Assess
    expect(check?.fields.map((f) => f.path)).toEqual([['data', 'fee'], ['data', 'refund', 'amount']]);
    expect(check?.issues('{"data":{"fee":1.001,"refund":{"amount":2.5e-3},"name":"1.234"}}')).toEqual([
      { path: ['data', 'fee'], message: 'must have at most 2 decimal places, got 1.001' },
      { path: ['data', 'refund', 'amount'], message: 'must have at most 2 decimal places, got 2.5e-3' },
    ]);
  });

  it.each([
    ['an array', z.object({ lines: z.array(z.object({ amount: money() })) })],
    ['a union', z.object({ amount: z.union([money(), z.string()]) })],
    ['a record', z.object({ amounts: z.record(z.string(), money()) })],
  ])('refuses, when the table is built, money inside %s (its literal could not be read)', (_case, schema) => {
    expect(() => numberLiteralCheck(schema)).toThrow('not supported');
  });

  it('refuses a rule whose maximum a double does not carry exactly', () => {
    const schema = z.object({ amount: z.number().register(numberLiteralRules, { maxFractionDigits: 2, max: '99999999999999999.99' }) });
    expect(() => numberLiteralCheck(schema)).toThrow('at most 15 significant digits');
  });

  describe('its pre-check on the JSON text', () => {
    const { mayBreak } = tableDefinition('products').literals!;
    const withPrice = (literal: string, ws = '') => validRecord('products', 1).replace('"price":9.99', `"price"${ws}:${ws}${literal}${ws}`);

    it.each(['9.99', '0', '-0', '0.1', '10000000000000', '12345678901234567890.5'])('lets a record through unread when every number has at most 2 decimals and no exponent (%s)', (literal) => {
      expect(mayBreak(withPrice(literal))).toBe(false);
    });

    it('is not fooled by timestamps with milliseconds', () => {
      expect(mayBreak(validRecord('products', 1).replace('"created_at":"2024-01-01T00:00:00.000Z"', '"created_at":"2024-01-01T10:59:58.123+02:00"'))).toBe(false);
    });

    it.each(['19.990', '1.234', '1e2', '1E-2', '-0.001', '5e+0'])('sends a record with %s to the slow path, however it is spaced', (literal) => {
      for (const ws of ['', ' ', '\n\t', '\r\n  ']) expect(mayBreak(withPrice(literal, ws))).toBe(true);
    });

    it('lets through only literals with at most 2 decimals and no exponent, which the checks on the double judge exactly', () => {
      const literal = fc
        .tuple(fc.stringMatching(/^-?(0|[1-9]\d{0,15})$/), fc.option(fc.stringMatching(/^\d{1,20}$/)), fc.option(fc.stringMatching(/^[eE][+-]?\d{1,3}$/)))
        .map(([int, frac, exp]) => `${int}${frac === null ? '' : `.${frac}`}${exp ?? ''}`);
      const ws = fc.constantFrom('', ' ', '\n', '\t\r\n ');
      fc.assert(
        fc.property(literal, ws, (l, w) => {
          if (!mayBreak(withPrice(l, w))) expect(l).toMatch(/^-?\d+(\.\d{1,2})?$/);
        }),
        { numRuns: 5_000 },
      );
    });
  });
});
