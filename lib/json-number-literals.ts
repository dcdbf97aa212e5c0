/**
 * Number literals as the producer wrote them. `JSON.parse` turns every number into the nearest
 * double before a schema sees it — `19.9900000000000001` and `19.99` are the same double — and
 * Node.js 20 passes a reviver no source text. For the few records that need it, the JSON text is
 * read a second time here, following only the keys asked for and skipping everything else.
 */

/** A field's place in the JSON: the keys from the root object down, e.g. `['data', 'price']`. */
export type JsonPath = readonly string[];

/**
 * The keys to follow from one object: each leads to a wanted literal (the index of its path) or to
 * an object to enter. `below` lists every path index under this object, for resetting.
 */
interface Branch {
  readonly keys: string[];
  readonly next: (Branch | number)[];
  readonly below: number[];
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const MINUS = 0x2d;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const isWhitespace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * A reader of the literals at `paths`: given JSON text that `JSON.parse` accepted, it returns, for
 * each path in order, the number literal there exactly as written, or `undefined` when the path
 * holds no number (absent, `null`, a string, an object). Like `JSON.parse`, of duplicate keys the
 * last one counts — at every level: a second `data` object replaces everything the first held.
 *
 * @example
 * const read = numberLiteralReader([['data', 'price']]);
 * read('{"data":{"name":"\\"price\\": 1","price":19.9900000000000001}}'); // ['19.9900000000000001']
 */
export function numberLiteralReader(paths: readonly JsonPath[]): (json: string) => (string | undefined)[] {
  const root = branchOf(paths);
  return (json) => {
    const literals = new Array<string | undefined>(paths.length).fill(undefined);
    new Scanner(json, literals).value(root);
    return literals;
  };
}

function branchOf(paths: readonly JsonPath[]): Branch {
  const root: Branch = { keys: [], next: [], below: [] };
  paths.forEach((path, index) => {
    if (path.length === 0) throw new Error('a number literal path needs at least one key');
    let branch = root;
    path.forEach((key, depth) => {
      branch.below.push(index);
      const at = branch.keys.indexOf(key);
      const existing = at < 0 ? undefined : branch.next[at];
      if (depth === path.length - 1) {
        if (existing !== undefined) throw new Error(`number literal path ${path.join('.')} is listed twice or inside another`);
        branch.keys.push(key);
        branch.next.push(index);
        return;
      }
      if (typeof existing === 'number') throw new Error(`number literal path ${path.join('.')} goes through another one`);
      if (existing === undefined) {
        const created: Branch = { keys: [], next: [], below: [] };
        branch.keys.push(key);
        branch.next.push(created);
        branch = created;
      } else {
        branch = existing;
      }
    });
  });
  return root;
}

/** A cursor over valid JSON: no error handling beyond what `JSON.parse` already did. */
class Scanner {
  private i = 0;

  constructor(
    private readonly text: string,
    /** By path index; every occurrence of a key overwrites what an earlier one left. */
    private readonly literals: (string | undefined)[],
  ) {}

  value(next: Branch | number): void {
    this.skipWhitespace();
    const c = this.text.charCodeAt(this.i);
    if (typeof next === 'number') {
      if (c === MINUS || (c >= DIGIT_0 && c <= DIGIT_9)) {
        const start = this.i;
        this.skipScalar();
        this.literals[next] = this.text.slice(start, this.i);
        return;
      }
      this.literals[next] = undefined;
    } else {
      for (const index of next.below) this.literals[index] = undefined;
      if (c === OPEN_BRACE) return this.object(next);
    }
    this.skipValue();
  }

  private object(branch: Branch): void {
    this.i++;
    this.skipWhitespace();
    if (this.text.charCodeAt(this.i) === CLOSE_BRACE) {
      this.i++;
      return;
    }
    for (;;) {
      this.skipWhitespace();
      const at = this.key(branch.keys);
      this.skipWhitespace();
      this.i++; // ':'
      if (at < 0) {
        this.skipWhitespace();
        this.skipValue();
      } else {
        this.value(branch.next[at]!);
      }
      this.skipWhitespace();
      if (this.text.charCodeAt(this.i++) === CLOSE_BRACE) return;
    }
  }

  /** Which of `keys` the key at the cursor is (-1 for none), as `JSON.parse` reads it: `"pr\u0069ce"` is `price`. */
  private key(keys: readonly string[]): number {
    const start = this.i;
    this.skipString();
    const { text } = this;
    const length = this.i - start - 2;
    let escaped = false;
    for (let j = start + 1; j < this.i - 1 && !escaped; j++) escaped = text.charCodeAt(j) === BACKSLASH;
    if (escaped) return keys.indexOf(JSON.parse(text.slice(start, this.i)) as string);
    for (let k = 0; k < keys.length; k++) if (keys[k]!.length === length && text.startsWith(keys[k]!, start + 1)) return k;
    return -1;
  }

  private skipString(): void {
    let end = this.i;
    for (;;) {
      end = this.text.indexOf('"', end + 1);
      // A quote preceded by an odd number of backslashes is escaped.
      let backslash = end - 1;
      while (this.text.charCodeAt(backslash) === BACKSLASH) backslash--;
      if ((end - 1 - backslash) % 2 === 0) break;
    }
    this.i = end + 1;
  }

  private skipValue(): void {
    const c = this.text.charCodeAt(this.i);
    if (c === QUOTE) return this.skipString();
    if (c !== OPEN_BRACE && c !== OPEN_BRACKET) return this.skipScalar();
    let depth = 0;
    do {
      const d = this.text.charCodeAt(this.i);
      if (d === QUOTE) {
        this.skipString();
        continue;
      }
      if (d === OPEN_BRACE || d === OPEN_BRACKET) depth++;
      else if (d === CLOSE_BRACE || d === CLOSE_BRACKET) depth--;
      this.i++;
    } while (depth > 0);
  }

  /** A number, `true`, `false` or `null`: up to the next delimiter. */
  private skipScalar(): void {
    const { text } = this;
    for (; this.i < text.length; this.i++) {
      const c = text.charCodeAt(this.i);
      if (c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || isWhitespace(c)) return;
    }
  }

  private skipWhitespace(): void {
    while (isWhitespace(this.text.charCodeAt(this.i))) this.i++;
  }
}
