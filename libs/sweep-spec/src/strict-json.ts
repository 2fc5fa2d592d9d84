/** JSON text that JSON.parse would accept but that is ambiguous: a key repeated in one object. */
export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    /** Path of the offending value (`grid.readNoise`), `(root)` for the document itself. */
    readonly field: string,
  ) {
    super(message);
    this.name = 'JsonSyntaxError';
  }
}

/** Far beyond any sweep spec, far below the depth that would overflow the stack. */
const MAX_DEPTH = 64;
const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

function pathOf(path: readonly (string | number)[]): string {
  let field = '';
  for (const part of path)
    field += typeof part === 'number' ? `[${part}]` : field ? `.${part}` : part;
  return field || '(root)';
}

/**
 * JSON.parse, but a key that appears twice in one object is an error instead of "last wins":
 * `{"model": "vgg", "model": "resnet-mnist"}` must not quietly run the second. Same grammar as
 * RFC 8259 otherwise; `__proto__` keys become plain properties, as with JSON.parse.
 */
export function parseStrictJson(text: string): unknown {
  let at = 0;
  let depth = 0;
  const path: (string | number)[] = [];

  const fail = (message: string): never => {
    throw new JsonSyntaxError(`${message} at position ${at}`, pathOf(path));
  };
  const skipWhitespace = () => {
    while (at < text.length && WHITESPACE.has(text[at])) at++;
  };
  const token = (pattern: RegExp): string | undefined => {
    pattern.lastIndex = at;
    const match = pattern.exec(text);
    if (!match) return undefined;
    at += match[0].length;
    return match[0];
  };
  const literal = (word: string, value: unknown): unknown => {
    if (!text.startsWith(word, at)) fail('invalid JSON');
    at += word.length;
    return value;
  };

  const value = (): unknown => {
    skipWhitespace();
    const c = text[at];
    if (c === '{' || c === '[') {
      if (++depth > MAX_DEPTH) fail(`nested deeper than ${MAX_DEPTH} levels`);
      const nested = c === '{' ? object() : array();
      depth--;
      return nested;
    }
    if (c === '"') return string();
    if (c === 't') return literal('true', true);
    if (c === 'f') return literal('false', false);
    if (c === 'n') return literal('null', null);
    const number = token(NUMBER);
    if (number === undefined)
      return fail(at >= text.length ? 'unexpected end of JSON' : 'invalid JSON');
    return Number(number);
  };
  const string = (): string => {
    const quoted = token(STRING);
    if (quoted === undefined) return fail('invalid string');
    return JSON.parse(quoted) as string;
  };
  const object = (): Record<string, unknown> => {
    at++;
    const result: Record<string, unknown> = {};
    const seen = new Set<string>();
    skipWhitespace();
    if (text[at] === '}') {
      at++;
      return result;
    }
    for (;;) {
      skipWhitespace();
      if (text[at] !== '"') fail('expected a property name');
      const key = string();
      path.push(key);
      if (seen.has(key)) fail(`duplicate key "${key}"`);
      seen.add(key);
      skipWhitespace();
      if (text[at] !== ':') fail('expected ":"');
      at++;
      Object.defineProperty(result, key, {
        value: value(),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      path.pop();
      skipWhitespace();
      if (text[at] === ',') {
        at++;
        continue;
      }
      if (text[at] === '}') {
        at++;
        return result;
      }
      fail('expected "," or "}"');
    }
  };
  const array = (): unknown[] => {
    at++;
    const result: unknown[] = [];
    skipWhitespace();
    if (text[at] === ']') {
      at++;
      return result;
    }
    for (;;) {
      path.push(result.length);
      result.push(value());
      path.pop();
      skipWhitespace();
      if (text[at] === ',') {
        at++;
        continue;
      }
      if (text[at] === ']') {
        at++;
        return result;
      }
      fail('expected "," or "]"');
    }
  };

  const parsed = value();
  skipWhitespace();
  if (at < text.length) fail('unexpected text after the JSON value');
  return parsed;
}
