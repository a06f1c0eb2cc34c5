/**
 * The one reader of request bodies: it enforces the contract's JSON rules before anything else
 * looks at the body, and hands the card guard every piece of text in it.
 *
 * Why a reader of our own rather than `JSON.parse`: `JSON.parse` keeps the last of two members with
 * the same name, turns `1999.0` and `1.999e3` into the integer 1999, and returns `"\ud800"` as a
 * lone surrogate without a word, so none of the contract's rules on repeated names, integer tokens
 * and well-formed strings can be checked after it. Maintained parsers that expose these facts
 * (tokenizers and streaming parsers) weigh more than this file in a handler whose cold start is
 * measured, and still need the checks written on top. This reader is one iterative pass over the
 * body (no recursion on the client's nesting), and `test/handlers/json-reader.test.ts` holds it to
 * `JSON.parse` on every body that both accept.
 */
import { InvalidJsonError, InvalidJsonReason } from './errors';

/** The deepest nesting of objects and arrays that a body may have; the top-level object is level 1. */
export const MAX_JSON_DEPTH = 32;

/** A JSON number written with a fraction or an exponent (`1999.0`, `1.999e3`), kept as written. */
export class NonIntegerNumber {
  constructor(public readonly text: string) {}
}

/** A request body that passed every JSON rule of the contract but the well-formedness of strings. */
export interface JsonDocument {
  /**
   * The top-level object. Objects have no prototype, so a member named `__proto__` is an ordinary
   * member. Numbers written as integers are numbers; others are `NonIntegerNumber`s.
   */
  readonly value: Record<string, unknown>;
  /** Every member name, string and number token of the body, decoded, for the card-data guard. */
  readonly texts: string[];
  /**
   * The fields whose name or value holds a string that is not well-formed Unicode (a lone surrogate
   * written as an escape): the top-level member, or `metadata.<key>` inside `metadata`.
   */
  readonly illFormedFields: string[];
}

interface Frame {
  readonly container: Record<string, unknown> | unknown[];
  /** The name of the member whose value is being read, in an object. */
  key?: string;
}

const DECODER = new TextDecoder('utf-8', { fatal: true });
const NUMBER = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
const LONE_SURROGATE = /[\ud800-\udfff]/u;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t' };

/**
 * Reads a body that must be one UTF-8 JSON object. Throws `InvalidJsonError` for anything else:
 * bytes that are not UTF-8, JSON syntax errors, a value other than an object, a member name repeated
 * within one object, or nesting deeper than `MAX_JSON_DEPTH`.
 */
export function readJsonObject(bytes: Uint8Array): JsonDocument {
  let text: string;
  try {
    text = DECODER.decode(bytes);
  } catch {
    throw new InvalidJsonError(InvalidJsonReason.SYNTAX);
  }
  return new Reader(text).readDocument();
}

class Reader {
  private position = 0;
  private readonly stack: Frame[] = [];
  private readonly texts: string[] = [];
  private readonly illFormed = new Set<string>();

  constructor(private readonly text: string) {}

  public readDocument(): JsonDocument {
    this.skipWhitespace();
    if (this.text.charCodeAt(this.position) !== 0x7b) {
      throw new InvalidJsonError(InvalidJsonReason.SYNTAX);
    }
    const value = this.readValue();
    this.skipWhitespace();
    if (this.position !== this.text.length) {
      throw new InvalidJsonError(InvalidJsonReason.SYNTAX);
    }
    return { value: value as Record<string, unknown>, texts: this.texts, illFormedFields: [...this.illFormed] };
  }

  /** Reads one value and everything nested in it, with an explicit stack instead of recursion. */
  private readValue(): unknown {
    for (;;) {
      let value = this.readScalarOrOpen();
      // `undefined` means a container was opened and its first value comes next.
      while (value !== undefined) {
        const frame = this.stack[this.stack.length - 1];
        if (!frame) {
          return value;
        }
        if (Array.isArray(frame.container)) {
          frame.container.push(value);
        } else {
          frame.container[frame.key!] = value;
        }
        this.skipWhitespace();
        const next = this.text.charCodeAt(this.position++);
        if (next === 0x2c) {
          this.skipWhitespace();
          if (!Array.isArray(frame.container)) {
            this.readMemberName(frame);
          }
          value = undefined;
        } else if (next === (Array.isArray(frame.container) ? 0x5d : 0x7d)) {
          this.stack.pop();
          value = frame.container;
        } else {
          throw new InvalidJsonError(InvalidJsonReason.SYNTAX);
        }
      }
    }
  }

  /** A complete scalar or empty container; or `undefined` after opening a non-empty container. */
  private readScalarOrOpen(): unknown {
    const text = this.text;
    const code = text.charCodeAt(this.position);
    if (code === 0x7b || code === 0x5b) {
      if (this.stack.length >= MAX_JSON_DEPTH) {
        throw new InvalidJsonError(InvalidJsonReason.DEPTH);
      }
      this.position++;
      this.skipWhitespace();
      const isArray = code === 0x5b;
      const container: Record<string, unknown> | unknown[] = isArray ? [] : Object.create(null);
      if (text.charCodeAt(this.position) === (isArray ? 0x5d : 0x7d)) {
        this.position++;
        return container;
      }
      const frame: Frame = { container };
      this.stack.push(frame);
      if (!isArray) {
        this.readMemberName(frame);
      }
      return undefined;
    }
    if (code === 0x22) {
      return this.readString(false);
    }
    for (const [literal, value] of LITERALS) {
      if (text.startsWith(literal, this.position)) {
        this.position += literal.length;
        return value;
      }
    }
    // Anything else is a number, or a syntax error where the number pattern does not match.
    NUMBER.lastIndex = this.position;
    const match = NUMBER.exec(text);
    if (!match) {
      throw new InvalidJsonError(InvalidJsonReason.SYNTAX);
    }
    this.position = NUMBER.lastIndex;
    this.texts.push(match[0]);
    return match[1] === undefined && match[2] === undefined ? Number(match[0]) : new NonIntegerNumber(match[0]);
  }

  /** Reads `"name" :` into the frame, refusing a name that the object already has. */
  private readMemberName(frame: Frame): void {
    if (this.text.charCodeAt(this.position) !== 0x22) {
      throw new InvalidJsonError(InvalidJsonReason.SYNTAX);
    }
    const name = this.readString(true);
    if (name in frame.container) {
      throw new InvalidJsonError(InvalidJsonReason.REPEATED_NAME);
    }
    frame.key = name;
    this.skipWhitespace();
    if (this.text.charCodeAt(this.position++) !== 0x3a) {
      throw new InvalidJsonError(InvalidJsonReason.SYNTAX);
    }
    this.skipWhitespace();
  }

  /** Reads a string token at the current position (its opening quote). */
  private readString(isName: boolean): string {
    const text = this.text;
    let position = this.position + 1;
    let chunkStart = position;
    let result = '';
    // Stryker disable next-line BooleanLiteral: a shortcut; the test it guards finds no lone surrogate in decoded UTF-8
    let escapedSurrogate = false;
    for (;;) {
      const code = text.charCodeAt(position);
      if (Number.isNaN(code) || code < 0x20) {
        throw new InvalidJsonError(InvalidJsonReason.SYNTAX);
      }
      if (code === 0x22) {
        break;
      }
      if (code !== 0x5c) {
        position++;
        continue;
      }
      result += text.slice(chunkStart, position);
      const escape = text[position + 1];
      if (escape === 'u') {
        const hex = text.slice(position + 2, position + 6);
        // The slice holds at most four units, so four hex digits anywhere in it are the whole of it.
        if (!/[0-9a-fA-F]{4}/.test(hex)) {
          throw new InvalidJsonError(InvalidJsonReason.SYNTAX);
        }
        const unit = parseInt(hex, 16);
        // Stryker disable next-line LogicalOperator: a shortcut for the lone-surrogate test below, which decides
        escapedSurrogate ||= unit >= 0xd800 && unit <= 0xdfff;
        result += String.fromCharCode(unit);
        position += 6;
      } else if (escape in ESCAPES) {
        result += ESCAPES[escape];
        position += 2;
      } else {
        throw new InvalidJsonError(InvalidJsonReason.SYNTAX);
      }
      chunkStart = position;
    }
    result += text.slice(chunkStart, position);
    this.position = position + 1;
    this.texts.push(result);
    // Decoded UTF-8 is always well-formed; only an escaped surrogate can be left without its pair.
    if (escapedSurrogate && LONE_SURROGATE.test(result)) {
      this.illFormed.add(this.fieldOf(isName ? result : undefined));
    }
    return result;
  }

  /**
   * The field that a string belongs to, as a client knows it: the top-level member, or
   * `metadata.<key>` inside `metadata`. Deeper paths are not echoed, since joining several names
   * could form text (a card number) that no single one of them holds.
   */
  private fieldOf(name: string | undefined): string {
    // Every string is inside the top-level object.
    const [top, second] = this.stack as [Frame, Frame?];
    if (!second) {
      return name ?? top.key!;
    }
    if (top.key === 'metadata' && !Array.isArray(second.container) && this.stack.length === 2) {
      return `metadata.${name ?? second.key!}`;
    }
    return top.key!;
  }

  private skipWhitespace(): void {
    const text = this.text;
    let position = this.position;
    for (;;) {
      const code = text.charCodeAt(position);
      if (code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09) {
        position++;
      } else {
        break;
      }
    }
    this.position = position;
  }
}

const LITERALS: ReadonlyArray<readonly [string, unknown]> = [['true', true], ['false', false], ['null', null]];
