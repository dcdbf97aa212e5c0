import { ClickHouseError } from '@clickhouse/client';
import { isolateRejectedRows, ISOLATION_INSERT_BUDGET } from '../../../../lib/clickhouse/row-isolation';
import { Deadline } from '../../../../lib/deadline';
import type { PendingRow } from '../../../../lib/parse-record';

const rowsOf = (n: number): PendingRow[] => Array.from({ length: n }, (_, i) => ({ row: { n: i + 1 } }) as unknown as PendingRow);
const numberOf = (r: PendingRow): number => (r.row as unknown as { n: number }).n;

/** ClickHouse's answer for a refused row: its code and "at row N" of the insert. */
type Refusal = (rowInInsert: number, n: number) => ClickHouseError;
const constraint: Refusal = (at, n) =>
  new ClickHouseError({ code: '469', type: 'VIOLATED_CONSTRAINT', message: `Constraint \`c\` for table test.users is violated at row ${at}. Expression: (name != 'bad'). Column values: name = 'bad ${n}'. (VIOLATED_CONSTRAINT)` });
const parse: Refusal = (at) =>
  new ClickHouseError({ code: '27', type: 'CANNOT_PARSE_INPUT_ASSERTION_FAILED', message: `Cannot parse input: expected '"' before: '123}': (at row ${at})\n: While executing ParallelParsingBlockInputFormat. (CANNOT_PARSE_INPUT_ASSERTION_FAILED)` });
const unknownField: Refusal = (at) =>
  new ClickHouseError({ code: '117', type: 'INCORRECT_DATA', message: `Unknown field found while parsing JSONEachRow format: country: (at row ${at})\n. (INCORRECT_DATA)` });

/** A ClickHouse stand-in: an insert fails at its first row for which `refuses` holds, else writes the segment. */
function server(refuses: (n: number) => boolean, refusal: Refusal) {
  const inserts: number[][] = [];
  const insert = async (segment: readonly PendingRow[]): Promise<void> => {
    inserts.push(segment.map(numberOf));
    const at = segment.findIndex((r) => refuses(numberOf(r)));
    if (at >= 0) throw refusal(at + 1, numberOf(segment[at]!));
  };
  /** The whole-batch insert the writer made before isolating. */
  const firstError = (rows: readonly PendingRow[]): unknown => {
    const at = rows.findIndex((r) => refuses(numberOf(r)));
    return refusal(at + 1, numberOf(rows[at]!));
  };
  return { insert, inserts, firstError };
}

const options = { deadline: Deadline.none(), random: () => 0.5 };

describe('isolateRejectedRows', () => {
  it('writes every good row and rejects the bad ones, one insert per bad row', async () => {
    // Prepare
    const rows = rowsOf(100);
    const bad = new Set([7, 50, 51]);
    const ch = server((n) => bad.has(n), parse);
    // Act
    const result = await isolateRejectedRows(rows, ch.firstError(rows), ch.insert, options);
    // Assess
    expect(result.rejected.map((r) => numberOf(r.pending))).toEqual([7, 50, 51]);
    expect(result.written).toHaveLength(97);
    expect(result.systemic).toBeUndefined();
    expect(ch.inserts.length).toBeLessThanOrEqual(bad.size + 1);
  });

  it.each([
    ['a constraint', constraint],
    ['a parse error', parse],
  ])('bad rows placed to look like drift (1, 2, 3 and the last of 1,000) are dead-lettered, not called drift: %s', async (_, refusal) => {
    // Prepare
    const rows = rowsOf(1_000);
    const bad = new Set([1, 2, 3, 1_000]);
    const ch = server((n) => bad.has(n), refusal);
    // Act
    const result = await isolateRejectedRows(rows, ch.firstError(rows), ch.insert, options);
    // Assess
    expect(result.systemic).toBeUndefined();
    expect(result.rejected.map((r) => numberOf(r.pending)).sort((a, b) => a - b)).toEqual([1, 2, 3, 1_000]);
    expect(result.written).toHaveLength(996);
    expect(result.unresolved).toEqual([]);
  });

  it('no placement of a few bad rows passes for drift, whatever rows the probes pick', async () => {
    for (let trial = 0; trial < 200; trial++) {
      // Prepare: 3 to 6 bad rows, the first three always at the front.
      const rows = rowsOf(300);
      const bad = new Set([1, 2, 3, ...Array.from({ length: trial % 4 }, (_, i) => 4 + ((trial * 37 + i * 101) % 296))]);
      const ch = server((n) => bad.has(n), parse);
      let seed = trial + 1;
      const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
      // Act
      const result = await isolateRejectedRows(rows, ch.firstError(rows), ch.insert, { deadline: Deadline.none(), random });
      // Assess
      expect(result.systemic).toBeUndefined();
      expect(result.rejected.length + result.written.length + result.unresolved.length).toBe(300);
      expect(new Set(result.rejected.map((r) => numberOf(r.pending)))).toEqual(new Set([...bad].filter((n) => !result.unresolved.some((u) => numberOf(u) === n))));
    }
  });

  it('every row refused the same way (a dropped column) is schema drift: nothing rejected, nothing written', async () => {
    // Prepare
    const rows = rowsOf(1_000);
    const ch = server(() => true, unknownField);
    // Act
    const result = await isolateRejectedRows(rows, ch.firstError(rows), ch.insert, options);
    // Assess
    expect(result.systemic?.message).toMatch(/Unknown field found while parsing JSONEachRow format: country/);
    expect(result.rejected).toEqual([]);
    expect(result.written).toEqual([]);
    expect(ch.inserts.length).toBeLessThanOrEqual(5);
  });

  it('a small batch all refused by a parse error is drift from three rows on, bad data below', async () => {
    for (const [size, systemic] of [[2, false], [3, true], [4, true]] as const) {
      const rows = rowsOf(size);
      const ch = server(() => true, parse);
      const result = await isolateRejectedRows(rows, ch.firstError(rows), ch.insert, options);
      expect(result.systemic !== undefined).toBe(systemic);
      expect(result.rejected).toHaveLength(systemic ? 0 : size);
    }
  });

  it('rows that all break an operator rule are the rows’ fault at any batch size: dead-lettered', async () => {
    for (const size of [3, 50]) {
      const rows = rowsOf(size);
      const ch = server(() => true, constraint);
      const result = await isolateRejectedRows(rows, ch.firstError(rows), ch.insert, options);
      expect(result.systemic).toBeUndefined();
      expect(result.rejected).toHaveLength(Math.min(size, ISOLATION_INSERT_BUDGET + 1));
      expect(result.rejected.length + result.unresolved.length).toBe(size);
    }
  });

  it('stops at the insert budget and leaves the rest unresolved for the redelivery', async () => {
    // Prepare: more bad rows than the budget can settle, each refused differently.
    const rows = rowsOf(100);
    const ch = server((n) => n % 2 === 0, (at, n) => constraint(at, n));
    // Act
    const result = await isolateRejectedRows(rows, ch.firstError(rows), ch.insert, { ...options, budget: 5 });
    // Assess
    expect(ch.inserts).toHaveLength(5);
    expect(result.rejected.length + result.written.length + result.unresolved.length).toBe(100);
    expect(result.unresolved.length).toBeGreaterThan(0);
  });
});
