/**
 * JSON that keeps integers beyond 2^53 exactly. `JSON.parse` rounds them, and Node 20 has neither its source
 * access nor `JSON.rawJSON`: a text that may hold one is read by the small parser below instead.
 */

/** An integer literal of a JSON text outside the safe range of a number, kept as the text the API wrote. */
export class RawInteger {
  constructor(readonly raw: string) {}

  /** Elsewhere a plain `JSON.stringify` writes the nearest number, what it wrote after `JSON.parse`. */
  toJSON(): number {
    return Number(this.raw);
  }
}

// Every integer of 15 digits or fewer is safe; a number token of 16 or more follows `:`, `,` or `[` (or opens
// the text). A long digit run in a string can match too: it only costs the slower, still exact, path.
const MAYBE_UNSAFE = /(?:^|[:,[])[ \t\n\r]*-?\d{16}/;

/**
 * `JSON.parse` without the rounding: an integer literal outside ±(2^53 - 1) becomes a {@link RawInteger};
 * everything else is what `JSON.parse` returns. Texts without a 16-digit number take `JSON.parse` itself.
 * @throws SyntaxError when the text is not JSON.
 */
export function parseExactJson(text: string): unknown {
  return MAYBE_UNSAFE.test(text) ? new Parser(text).document() : JSON.parse(text);
}

/** `JSON.stringify` of a parsed JSON value that writes each {@link RawInteger} as its exact digits. */
export function stringifyExact(value: unknown): string {
  if (value instanceof RawInteger) return value.raw;
  if (Array.isArray(value))
    return `[${value.map((item) => (item === undefined ? 'null' : stringifyExact(item))).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const parts: string[] = [];
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined) parts.push(`${JSON.stringify(key)}:${stringifyExact(item)}`);
    }
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
// Integers of 15 digits or fewer are always safe: only longer ones are compared against the bounds.
const SAFE_DIGITS = 15;

class Parser {
  private at = 0;

  constructor(private readonly text: string) {}

  document(): unknown {
    const value = this.value();
    this.space();
    if (this.at < this.text.length) this.fail('end of the text');
    return value;
  }

  private value(): unknown {
    this.space();
    const c = this.text.charCodeAt(this.at);
    if (c === QUOTE) return this.string();
    if (c === 0x7b) return this.object();
    if (c === 0x5b) return this.array();
    if (c === MINUS || (c >= ZERO && c <= NINE)) return this.number();
    for (const [word, value] of LITERALS) {
      if (this.text.startsWith(word, this.at)) {
        this.at += word.length;
        return value;
      }
    }
    return this.fail('a value');
  }

  private object(): Record<string, unknown> {
    const object: Record<string, unknown> = {};
    this.at++;
    if (this.next() === 0x7d) return this.skip(object);
    for (;;) {
      if (this.next() !== QUOTE) this.fail('a key');
      const key = this.string();
      if (this.next() !== 0x3a) this.fail('":"');
      this.at++;
      const value = this.value();
      // As in JSON.parse, "__proto__" is an own key, not the prototype.
      if (key === '__proto__') {
        Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
      } else {
        object[key] = value;
      }
      const c = this.next();
      if (c === 0x7d) return this.skip(object);
      if (c !== 0x2c) this.fail('"," or "}"');
      this.at++;
      this.space();
    }
  }

  private array(): unknown[] {
    const array: unknown[] = [];
    this.at++;
    if (this.next() === 0x5d) return this.skip(array);
    for (;;) {
      array.push(this.value());
      const c = this.next();
      if (c === 0x5d) return this.skip(array);
      if (c !== 0x2c) this.fail('"," or "]"');
      this.at++;
    }
  }

  private string(): string {
    const start = this.at;
    let escaped = false;
    let i = start + 1;
    for (;;) {
      const c = this.text.charCodeAt(i);
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        escaped = true;
        i++;
      } else if (c < 0x20 || Number.isNaN(c)) {
        this.at = i;
        this.fail('the end of the string');
      }
      i++;
    }
    this.at = i + 1;
    // Unescaped text is the value; JSON.parse decodes (and checks) the escapes of the rest.
    return escaped ? (JSON.parse(this.text.slice(start, this.at)) as string) : this.text.slice(start + 1, i);
  }

  private number(): number | RawInteger {
    const start = this.at;
    if (this.text.charCodeAt(this.at) === MINUS) this.at++;
    const first = this.at;
    this.digits();
    const digits = this.at - first;
    if (digits === 0 || (digits > 1 && this.text.charCodeAt(first) === ZERO)) this.fail('a number');
    let integer = true;
    if (this.text.charCodeAt(this.at) === 0x2e) {
      integer = false;
      this.at++;
      if (this.digits() === 0) this.fail('a digit');
    }
    const e = this.text.charCodeAt(this.at);
    if (e === 0x65 || e === 0x45) {
      integer = false;
      this.at++;
      const sign = this.text.charCodeAt(this.at);
      if (sign === 0x2b || sign === MINUS) this.at++;
      if (this.digits() === 0) this.fail('a digit');
    }
    const token = this.text.slice(start, this.at);
    const n = Number(token);
    return integer && digits > SAFE_DIGITS && !Number.isSafeInteger(n) ? new RawInteger(token) : n;
  }

  private digits(): number {
    const from = this.at;
    for (let c = this.text.charCodeAt(this.at); c >= ZERO && c <= NINE; c = this.text.charCodeAt(this.at)) {
      this.at++;
    }
    return this.at - from;
  }

  private space(): void {
    for (let c = this.text.charCodeAt(this.at); c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09; ) {
      c = this.text.charCodeAt(++this.at);
    }
  }

  private next(): number {
    this.space();
    return this.text.charCodeAt(this.at);
  }

  private skip<T>(value: T): T {
    this.at++;
    return value;
  }

  private fail(expected: string): never {
    throw new SyntaxError(`JSON: expected ${expected} at position ${this.at}`);
  }
}

const LITERALS: readonly (readonly [string, unknown])[] = [
  ['true', true],
  ['false', false],
  ['null', null],
];
