import { parse as parseYaml } from 'yaml';
import { parseStrictJson } from './strict-json';

export type SpecFormat = 'json' | 'yaml';

/** The format of a spec file from its name (YAML for .yaml/.yml, JSON otherwise). */
export function specFormatOf(fileName: string): SpecFormat {
  return /\.ya?ml$/i.test(fileName) ? 'yaml' : 'json';
}

/** Parses spec text into a plain value for `SweepSpecValidator.validate` (JSON: duplicate keys refused). */
export function parseSpecText(text: string, format: SpecFormat): unknown {
  return format === 'yaml' ? parseYaml(text) : parseStrictJson(text);
}
