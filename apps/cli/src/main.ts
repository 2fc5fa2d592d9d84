#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { simulate } from './commands/simulate';

function integer(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed)) throw new InvalidArgumentError(`not an integer: ${value}`);
  return parsed;
}

export function buildProgram(): Command {
  const program = new Command('engram')
    .description(
      'Experiment sweeps over a memristor-simulated, semantic-memory dynamic neural network',
    )
    .showHelpAfterError();

  program
    .command('simulate')
    .description(
      'Run a small, real hardware simulation (ternary RRAM crossbar + TCAM) and print its figures',
    )
    .option('--seed <n>', 'random seed', integer, 1)
    .option('--rows <n>', 'crossbar rows (layer inputs)', integer, 512)
    .option('--cols <n>', 'crossbar columns (layer outputs)', integer, 256)
    .option('--batch <n>', 'input vectors', integer, 64)
    .option('--json', 'print the figures as JSON')
    .addHelpText('after', '\nExample:\n  engram simulate --seed 7')
    .action((opts) => {
      const lines: string[] = [];
      const points = simulate({ ...opts, json: Boolean(opts.json) }, (l) => lines.push(l));
      process.stdout.write(
        opts.json ? `${JSON.stringify(points, null, 2)}\n` : `${lines.join('\n')}\n`,
      );
    });

  return program;
}

if (require.main === module) {
  buildProgram()
    .parseAsync(process.argv)
    .catch((error: Error) => {
      process.stderr.write(`engram: ${error.message}\n`);
      process.exit(1);
    });
}
