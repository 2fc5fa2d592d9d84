import * as fs from 'node:fs';
import {
  SweepSpec,
  SweepSpecError,
  SweepSpecValidator,
  parseSpecText,
  specFormatOf,
} from '@engram/sweep-spec';
import { CliError, ExitCode } from '../errors';

/** Reads and validates a spec file (YAML or JSON) locally, naming the file and the bad field. */
export function readSpecFile(file: string): SweepSpec {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read spec ${file}: ${(error as Error).message}`, ExitCode.Usage);
  }
  let parsed: unknown;
  try {
    parsed = parseSpecText(text, specFormatOf(file));
  } catch (error) {
    throw new CliError(
      `${file} is not valid ${specFormatOf(file).toUpperCase()}: ${(error as Error).message}`,
      ExitCode.Usage,
    );
  }
  try {
    return new SweepSpecValidator({ maxRuns: 10_000 }).validate(parsed);
  } catch (error) {
    if (error instanceof SweepSpecError) {
      throw new CliError(
        `${file}: invalid sweep specification:\n${error.issues.map((i) => `  ${i.field}: ${i.message}`).join('\n')}`,
        ExitCode.Usage,
        'the fields are described by `GET /sweep-spec/schema` and in apps/api/README.md',
      );
    }
    throw error;
  }
}
