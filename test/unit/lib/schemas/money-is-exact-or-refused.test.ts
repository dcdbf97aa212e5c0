import fc from 'fast-check';
import type { DecodedRecord } from '../../../../lib/kafka/event';
import { parseRecord, type ParseResult } from '../../../../lib/parse-record';
import type { TableName } from '../../../../lib/schemas';
import { validRecord } from '../../../support/bad-input-corpus';

/**
 * "Nothing is altered silently", for money: every amount is stored exactly as the producer wrote
 * it, or the record is refused with the literal quoted — although `JSON.parse` rounds
 * `19.9900000000000001` to 19.99 before any schema sees it.
 */

const recordOf = (value: string): DecodedRecord => ({ topic: 't', partition: 0, offset: '1', timestamp: 0, timestampType: 'CREATE_TIME', key: null, value: Buffer.from(value), headers: [] });
const parse = (table: TableName, value: string): ParseResult => parseRecord(recordOf(value), { table, maxRecordBytes: 1_048_576, ingestedAt: '2024-06-01 00:00:00.000' });

/** A valid products record (price 9.99) with `"price":9.99` replaced by `members` (and its name dropped when they have one). */
const product = (members: string) => {
  let json = validRecord('products', 1);
  expect(json).toContain('"price":9.99');
  if (members.includes('"name":')) json = json.replace('"name":"Product 1",', '');
  return json.replace('"price":9.99', members);
};
/** A valid orders record (quantity 2, unit_price 1.25, no total) with `"unit_price":1.25` replaced by `members`. */
const order = (members: string) => {
  const json = validRecord('orders', 1);
  expect(json).toContain('"unit_price":1.25');
  return json.replace('"unit_price":1.25', members);
};

const stored = (result: ParseResult, column: string) => {
  if (!result.ok) throw new Error(`refused: ${result.poison.message}`);
  return result.pending.row[column];
};
const refusal = (result: ParseResult) => {
  if (result.ok) throw new Error(`accepted: ${JSON.stringify(result.pending.row)}`);
  return { code: result.poison.code, issues: result.poison.issues.map((i) => `${i.path}: ${i.message}`) };
};

describe('products.price', () => {
  it.each([
    ['0', 0],
    ['-0', 0],
    ['-0.0', 0],
    ['0.1', 0.1],
    ['0.10', 0.1],
    ['0.100', 0.1],
    ['19.990', 19.99],
    ['1e2', 100],
    ['1E-2', 0.01],
    ['1.5e-1', 0.15],
    ['123.456e1', 1234.56],
    ['1.999e3', 1999],
    ['9999999999999.99', 9_999_999_999_999.99],
    ['9999999999999.990', 9_999_999_999_999.99],
  ])('stores %s exactly as %s', (literal, value) => {
    const price = stored(parse('products', product(`"price":${literal}`)), 'price');
    expect(price === value).toBe(true);
    // The row travels as JSON: ClickHouse receives the amount (negative zero as "0").
    expect(JSON.stringify(price)).toBe(String(value));
  });

  it.each(['9999999999999.9899', '9999999999999.9901', '5000000000000.0001', '19.9900000000000001', '19.991', '1.23456e2', '0.001', '1e-400', '-0.001'])(
    'refuses %s (JSON.parse would round it) with the literal quoted',
    (literal) => {
      expect(refusal(parse('products', product(`"price":${literal}`)))).toEqual({
        code: 'SCHEMA_VALIDATION',
        issues: [`data.price: must have at most 2 decimal places, got ${literal}`],
      });
    },
  );

  it.each(['10000000000000', '10000000000000.00', '1e13', '1E400'])('refuses %s as above the maximum, with the literal quoted', (literal) => {
    expect(refusal(parse('products', product(`"price":${literal}`)))).toEqual({ code: 'SCHEMA_VALIDATION', issues: [`data.price: must be at most 9999999999999.99, got ${literal}`] });
  });

  it('still refuses a negative amount with the schema\'s message', () => {
    expect(refusal(parse('products', product('"price":-0.01'))).issues).toEqual(['data.price: Too small: expected number to be >=0']);
  });

  it('reports a refused literal beside the record\'s other issues, once per field', () => {
    expect(refusal(parse('products', product('"price":1.001').replace('"name":"Product 1"', '"name":""'))).issues).toEqual([
      'data.price: must have at most 2 decimal places, got 1.001',
      'data.name: must not be empty or blank',
    ]);
  });

  it.each([
    ['spaced and on several lines', '"price" :\n\t19.991 \r\n', '19.991'],
    ['with an escaped key', '"pr\\u0069ce":19.991', '19.991'],
    ['twice, the last long', '"price":19.99,"price":19.991', '19.991'],
    ['in a name that also holds "price": 1.234', '"name":"\\"price\\": 1.234","price":1.2345', '1.2345'],
  ])('reads the literal that counts: %s', (_case, member, literal) => {
    expect(refusal(parse('products', product(member))).issues).toEqual([`data.price: must have at most 2 decimal places, got ${literal}`]);
  });

  it.each([
    ['twice, the first long and the last short (the last counts, as in JSON.parse)', '"price":19.991,"price":19.99', 19.99],
    ['beside a name holding "price": 1.234 and escaped quotes', '"price":9.99,"name":"a \\"price\\": 1.234, \\\\\\"price\\\\\\":1.234"', 9.99],
    ['beside unknown fields with long decimals, nested or not (dropped)', '"weight":1.2345,"meta":{"price":9.999,"rates":[1e-9,2.5e10]},"price":9.99', 9.99],
  ])('stores the price: %s', (_case, member, price) => {
    expect(stored(parse('products', product(member)), 'price')).toBe(price);
  });

  it('refuses a literal of a million digits quickly, quoting its start', () => {
    const literal = `1.${'0'.repeat(1_000_000)}1`;
    const started = performance.now();
    expect(refusal(parse('products', product(`"price":${literal}`))).issues).toEqual([`data.price: must have at most 2 decimal places, got 1.${'0'.repeat(30)}… (1000003 characters)`]);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('does not look at fields outside data', () => {
    expect(stored(parse('products', product('"price":9.99').replace('{"table"', '{"price":19.991,"table"')), 'price')).toBe(9.99);
  });

  it('a record pretty-printed by its producer is read the same', () => {
    const pretty = JSON.stringify(JSON.parse(validRecord('products', 1)), null, 2);
    expect(refusal(parse('products', pretty.replace('"price": 9.99', '"price": 9.999'))).issues).toEqual(['data.price: must have at most 2 decimal places, got 9.999']);
    expect(stored(parse('products', pretty.replace('"price": 9.99', '"price": 9.990')), 'price')).toBe(9.99);
  });

  it('stores any literal exactly or refuses it, as exact decimal arithmetic says', () => {
    const literal = fc
      .tuple(fc.boolean(), fc.stringMatching(/^(0|[1-9]\d{0,16})$/), fc.option(fc.stringMatching(/^\d{1,20}$/)), fc.option(fc.stringMatching(/^[eE][+-]?\d{1,2}$/)))
      .map(([negative, int, frac, exp]) => `${negative ? '-' : ''}${int}${frac === null ? '' : `.${frac}`}${exp ?? ''}`);
    fc.assert(
      fc.property(literal, fc.constantFrom('', ' ', '\n  '), (l, ws) => {
        // Prepare: the exact amount in cents, or why it cannot be stored.
        const [, sign, int, frac = '', exp = '0'] = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(l)!;
        const shift = Number(exp) - frac.length + 2;
        const mantissa = BigInt(int + frac);
        const exact = shift >= 0 || mantissa % 10n ** BigInt(-shift) === 0n;
        const cents = shift >= 0 ? mantissa * 10n ** BigInt(shift) : mantissa / 10n ** BigInt(-shift);
        const storable = exact && cents <= 999_999_999_999_999n && (sign === '' || cents === 0n);
        // Act
        const result = parse('products', product(`"price"${ws}:${ws}${l}${ws}`));
        // Assess
        expect(result.ok).toBe(storable);
        if (result.ok) expect(BigInt(Math.round((result.pending.row.price as number) * 100))).toBe(cents);
        else expect(result.poison.issues.map((i) => i.path)).toEqual(['data.price']);
      }),
      { numRuns: 3_000 },
    );
  });
});

describe('orders.unit_price and orders.total', () => {
  it.each([
    ['unit_price', '"unit_price":1.251'],
    ['unit_price', '"unit_price":1.2500000000000001'],
    ['total', '"unit_price":1.25,"total":2.501'],
    ['total', '"unit_price":1.25,"total":2.5000000000000001'],
    ['total', '"unit_price":1.25,"total":2.5e-0,"total":25e-1,"total":250e-2,"total":2.50001'],
  ])('refuses a long literal in %s', (field, members) => {
    const { issues } = refusal(parse('orders', order(members)));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(new RegExp(`^data\\.${field}: must have at most 2 decimal places, got `));
  });

  it.each([
    ['absent (computed)', '"unit_price":1.25', 2.5],
    ['null (computed)', '"unit_price":1.25,"total":null', 2.5],
    ['present', '"unit_price":1.25,"total":2.5', 2.5],
    ['present with trailing zeros', '"unit_price":1.250,"total":2.500', 2.5],
    ['present as an exponent', '"unit_price":125e-2,"total":0.25e1', 2.5],
    ['long first, null last', '"unit_price":1.25,"total":2.501,"total":null', 2.5],
  ])('stores total %s', (_case, members, total) => {
    const result = parse('orders', order(members));
    expect([stored(result, 'unit_price'), stored(result, 'total')]).toEqual([1.25, total]);
  });
});
