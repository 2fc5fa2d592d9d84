import { JsonSyntaxError, parseStrictJson } from './strict-json';

function errorOf(text: string): JsonSyntaxError {
  try {
    parseStrictJson(text);
  } catch (error) {
    if (error instanceof JsonSyntaxError) return error;
    throw error;
  }
  throw new Error(`expected ${text} to be refused`);
}

describe('parseStrictJson', () => {
  it('parses what JSON.parse parses, to the same value', () => {
    const texts = [
      '{"a":1,"b":[true,false,null,"x\\u00e9\\n"],"c":{"d":-1.5e-3}}',
      ' [ ] ',
      '"\\ud83d\\ude00"',
      '0',
      '{"__proto__":{"polluted":1}}',
    ];
    for (const text of texts) expect(parseStrictJson(text)).toEqual(JSON.parse(text));
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('refuses a key repeated in one object, naming its path', () => {
    const error = errorOf('{"grid":{"seed":[1],"seed":[2]}}');
    expect(error.field).toBe('grid.seed');
    expect(error.message).toMatch(/duplicate key "seed"/);
    expect(errorOf('{"model":"vgg","model":"resnet-mnist"}').field).toBe('model');
    // The same key in two different objects is fine.
    expect(parseStrictJson('[{"a":1},{"a":2}]')).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('refuses what JSON.parse refuses, and nesting deep enough to exhaust the stack', () => {
    for (const text of ['', '{', '{"a":1,}', '[1 2]', "{'a':1}", '01', '"\u0001"', '1 2', 'nul']) {
      expect(() => JSON.parse(text)).toThrow();
      expect(errorOf(text)).toBeInstanceOf(JsonSyntaxError);
    }
    expect(errorOf('['.repeat(100_000)).message).toMatch(/nested deeper than 64/);
  });
});
