import * as fc from 'fast-check';
import { propertyRuns } from './payment-harness';
import { InvalidJsonError } from '../../src/handlers/errors';
import { JsonDocument, MAX_JSON_DEPTH, NonIntegerNumber, readJsonObject } from '../../src/handlers/json-reader';

const read = (text: string): JsonDocument => readJsonObject(Buffer.from(text, 'utf8'));
const refusal = (text: string | Buffer): string | undefined => {
  try {
    readJsonObject(typeof text === 'string' ? Buffer.from(text, 'utf8') : text);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidJsonError);
    return (error as Error).message;
  }
};

/** The reader's value with non-integer tokens turned into numbers, as `JSON.parse` reads them. */
function asParsed(value: unknown): unknown {
  if (value instanceof NonIntegerNumber) {
    return Number(value.text);
  }
  if (Array.isArray(value)) {
    return value.map(asParsed);
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asParsed(v)]));
  }
  return value;
}

describe('the reader agrees with JSON.parse wherever the contract does not say more', () => {
  const object = fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 6 }));

  test('every object JSON.stringify writes reads to the value JSON.parse reads', () => {
    fc.assert(fc.property(object, fc.constantFrom(undefined, 2), (value, indent) => {
      const text = JSON.stringify(value, null, indent);
      expect(asParsed(read(text).value)).toEqual(JSON.parse(text));
    }), { numRuns: propertyRuns(10_000) });
  });

  test('a text that JSON.parse refuses is refused, and one it reads as an object is read', () => {
    // Small edits of valid JSON reach the syntax errors that matter: a dropped quote, a stray comma.
    const edited = fc.tuple(object, fc.nat(), fc.constantFrom('', ',', '"', '}', ']', ':', '\\', '0', '-', 'e', '.', ' ', '\u0001'))
      .map(([value, at, insert]) => {
        const text = JSON.stringify(value);
        const position = at % (text.length + 1);
        return text.slice(0, position) + insert + text.slice(position + (insert === '' ? 1 : 0));
      });
    fc.assert(fc.property(fc.oneof(edited, fc.string()), (text) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        expect(refusal(text)).toBeDefined();
        return;
      }
      const isObject = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed);
      if (!isObject) {
        expect(refusal(text)).toBe('The request body must be a JSON object.');
      } else if (refusal(text) === undefined) {
        expect(asParsed(read(text).value)).toEqual(parsed);
      } else {
        // JSON.parse keeps the last of two equal names; the contract refuses them.
        expect(refusal(text)).toBe('The request body must not repeat a member name within one object.');
      }
    }), { numRuns: propertyRuns(10_000) });
  });
});

describe('syntax', () => {
  test.each([
    ['empty', ''],
    ['white space only', ' \n'],
    ['an array', '[]'],
    ['a string', '"x"'],
    ['a number', '1'],
    ['null', 'null'],
    ['a trailing comma in an object', '{"a":1,}'],
    ['a trailing comma in an array', '{"a":[1,]}'],
    ['a leading zero', '{"a":01}'],
    ['a bare minus', '{"a":-}'],
    ['a fraction without digits', '{"a":1.}'],
    ['a raw control character in a string', '{"a":"x\u0001"}'],
    ['a raw line feed in a string', '{"a":"x\ny"}'],
    ['an unknown escape', '{"a":"\\x41"}'],
    ['a short unicode escape', '{"a":"\\u12"}'],
    ['an unterminated string', '{"a":"x}'],
    ['single quotes', "{'a':1}"],
    ['an unquoted name', '{a:1}'],
    ['text after the object', '{"a":1} x'],
    ['two objects', '{}{}'],
    ['a misspelt literal', '{"a":tru}'],
    ['NaN', '{"a":NaN}'],
    ['a name without its opening quote', '{a":1}'],
    ['a name without its colon', '{"a" 1}'],
    ['a name followed by a digit in place of its colon', '{"a" 11}'],
    ['an object closed by a bracket', '{"a":1]'],
    ['an array closed by a brace', '{"a":[1}}'],
    ['a unicode escape with a letter beyond f', '{"a":"\\u12g4"}'],
    ['a backslash at the end of the body', '{"a":"\\'],
  ])('%s is invalid_json', (_case, text) => {
    expect(refusal(text)).toBe('The request body must be a JSON object.');
  });

  test.each([
    ['invalid UTF-8', [0x7b, 0xff, 0x7d]],
    ['an overlong encoding of "/"', [0x7b, 0x22, 0xc0, 0xaf, 0x22, 0x3a, 0x31, 0x7d]],
    ['UTF-8 bytes of a surrogate', [0x7b, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x3a, 0x31, 0x7d]],
    ['a truncated sequence', [0x7b, 0x22, 0xe2, 0x82, 0x22, 0x3a, 0x31, 0x7d]],
  ])('%s is invalid_json', (_case, bytes) => {
    expect(refusal(Buffer.from(bytes))).toBe('The request body must be a JSON object.');
  });

  test('white space of all four kinds around every token, and every escape, are read', () => {
    const { value } = read(' \t\r\n{ "a" : [ 1 , true , false , null , "\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9" ] }\n');
    expect(value.a).toEqual([1, true, false, null, '"\\/\b\f\n\r\té']);
  });
});

describe('depth', () => {
  const nested = (levels: number) => `{"a":${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}`;
  test(`${MAX_JSON_DEPTH} levels, counting the top-level object, are read`, () => {
    expect(MAX_JSON_DEPTH).toBe(32);
    expect(read(nested(32)).value.a).toEqual(expect.any(Array));
    expect(read(`{"a":${'{"a":'.repeat(31)}1${'}'.repeat(31)}}`).value.a).toEqual(expect.any(Object));
  });

  test('33 levels are refused, objects and arrays alike', () => {
    const message = 'The request body must not nest objects and arrays more than 32 levels deep.';
    expect(refusal(nested(33))).toBe(message);
    expect(refusal(`{"a":${'{"a":'.repeat(32)}1${'}'.repeat(32)}}`)).toBe(message);
  });

  test('a million levels are refused without a stack overflow', () => {
    expect(refusal(nested(1_000_000))).toBe('The request body must not nest objects and arrays more than 32 levels deep.');
  });
});

describe('repeated member names', () => {
  test.each([
    ['at the top', '{"a":1,"a":1}'],
    ['with other members between', '{"a":1,"b":2,"a":3}'],
    ['one of them escaped', '{"a":1,"\\u0061":2}'],
    ['in a nested object', '{"m":{"k":"1","k":"2"}}'],
    ['in an object inside an array', '{"x":[{},{"y":1,"y":1}]}'],
    ['named __proto__', '{"__proto__":1,"__proto__":2}'],
  ])('%s are refused', (_case, text) => {
    expect(refusal(text)).toBe('The request body must not repeat a member name within one object.');
  });

  test('names that differ only in case or in normalization are different names', () => {
    expect(Object.keys(read('{"a":1,"A":2,"\u00e9":3,"e\u0301":4}').value)).toEqual(['a', 'A', '\u00e9', 'e\u0301']);
  });

  test('__proto__ is an ordinary member and changes no prototype', () => {
    const { value } = read('{"__proto__":{"polluted":true},"constructor":1}');
    expect(Object.keys(value)).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(value)).toBeNull();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('number tokens', () => {
  test.each(['0', '-0', '1999', '-5', '99999999', '12345678901234567890'])('%s is an integer token and reads as a number', (token) => {
    expect(read(`{"n":${token}}`).value.n).toBe(Number(token));
  });

  test.each(['1999.0', '1.999e3', '1999e0', '1E3', '1e+3', '19.99E2', '-0.0', '0.5'])('%s keeps its written form', (token) => {
    expect(read(`{"n":${token}}`).value.n).toEqual(new NonIntegerNumber(token));
  });

  test('every token is handed to the card guard as written, big integers too', () => {
    expect(read('{"n":4111111111111111111,"d":1.5e3}').texts).toEqual(['n', '4111111111111111111', 'd', '1.5e3']);
  });
});

describe('well-formed strings', () => {
  test.each([
    ['a lone high surrogate in a top-level value', '{"description":"x\\ud800"}', ['description']],
    ['a lone low surrogate', '{"description":"\\udfff"}', ['description']],
    ['a high surrogate before a non-surrogate escape', '{"description":"\\ud800\\u0041"}', ['description']],
    ['a high surrogate at the end of a top-level name', '{"k\\ud800":1}', ['k\ud800']],
    ['in a metadata value', '{"metadata":{"note":"\\ud800"}}', ['metadata.note']],
    ['in a metadata key', '{"metadata":{"\\udc00":"v"}}', ['metadata.\udc00']],
    ['deep inside another field', '{"extra":[{"a":{"b":"\\ud800"}}]}', ['extra']],
    ['deep inside metadata', '{"metadata":{"note":["\\ud800"]}}', ['metadata']],
    ['in an object under another field', '{"extra":{"note":"\\ud800"}}', ['extra']],
    ['in an array that metadata holds', '{"metadata":["\\ud800"]}', ['metadata']],
    ['twice in one field', '{"description":"\\ud800 \\ud800","metadata":{"a":"\\udc00"}}', ['description', 'metadata.a']],
  ])('%s names the field', (_case, text, fields) => {
    expect(read(text).illFormedFields).toEqual(fields);
  });

  test('escaped pairs, raw astral characters and every other escape are well-formed', () => {
    const document = read('{"a":"\\ud83d\\ude00 \u{1f600} \\u00e9","\\ud83d\\ude00":"x"}');
    expect(document.illFormedFields).toEqual([]);
    expect(document.value.a).toBe('\u{1f600} \u{1f600} é');
  });
});
