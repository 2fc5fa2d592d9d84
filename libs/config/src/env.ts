/** A configuration variable that is missing or invalid: the message names it. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`${variable}: ${detail}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates environment variables, naming the variable in every error. */
export class EnvReader {
  constructor(private readonly env: NodeJS.ProcessEnv) {}

  private raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  string(name: string, fallback?: string): string {
    const value = this.raw(name) ?? fallback;
    if (value === undefined) throw new ConfigError(name, 'is required');
    return value;
  }

  optionalString(name: string): string | undefined {
    return this.raw(name);
  }

  /** A string passed through a validator whose error message becomes the detail. */
  checked<T>(name: string, fallback: string | undefined, check: (value: string) => T): T {
    const value = this.string(name, fallback);
    try {
      return check(value);
    } catch (error) {
      throw new ConfigError(name, (error as Error).message);
    }
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const text = this.raw(name);
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new ConfigError(name, `must be an integer in [${min}, ${max}], got "${text}"`);
    }
    return value;
  }

  optionalInteger(name: string, min: number, max: number): number | undefined {
    return this.raw(name) === undefined ? undefined : this.integer(name, 0, min, max);
  }

  boolean(name: string, fallback: boolean): boolean {
    const text = this.raw(name);
    if (text === undefined) return fallback;
    if (/^(1|true|yes)$/i.test(text)) return true;
    if (/^(0|false|no)$/i.test(text)) return false;
    throw new ConfigError(name, `must be true or false, got "${text}"`);
  }

  url(name: string, protocols: readonly string[]): string {
    return this.checked(name, undefined, (value) => {
      let parsed: URL;
      try {
        parsed = new URL(value);
      } catch {
        throw new Error('is not a valid URL');
      }
      if (!protocols.includes(parsed.protocol)) {
        throw new Error(
          `must use ${protocols.map((p) => `${p}//`).join(' or ')}, got ${parsed.protocol}//`,
        );
      }
      return value;
    });
  }
}
