#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { simulate } from './commands/simulate';
import { train } from './commands/train';
import { runEvaluate } from './commands/evaluate';
import { report } from './commands/report';

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

  program
    .command('train')
    .description(
      'Train a model (resumes from its checkpoints) and write its artifact under models/<model>',
    )
    .argument('<model>', 'resnet-mnist')
    .option(
      '--stage <stage>',
      'only this stage: float or ternary (the two can run in parallel processes)',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  engram train resnet-mnist\n  engram train resnet-mnist --stage ternary',
    )
    .action(async (model: string, opts: { stage?: 'float' | 'ternary' }) => {
      if (opts.stage && opts.stage !== 'float' && opts.stage !== 'ternary') {
        throw new InvalidArgumentError(`--stage must be float or ternary, got ${opts.stage}`);
      }
      await train(model, opts.stage ? [opts.stage] : undefined);
    });

  program
    .command('evaluate')
    .description(
      'Run one configuration of the dynamic network on a simulated chip and print its metrics',
    )
    .option('--model <name>', 'model', 'resnet-mnist')
    .option('--threshold <t>', 'CAM threshold, or one per exit separated by commas', '0.1')
    .option('--memory-size <k>', 'prototypes per class', integer, 2)
    .option('--seed <n>', 'chip seed', integer, 1)
    .option('--samples <n>', 'samples of the split (default: all)', integer)
    .option('--split <split>', 'test or validation', 'test')
    .option(
      '--programming-noise <x>',
      'programming noise, fraction of the conductance window',
      Number,
    )
    .option('--read-noise <x>', 'read noise, fraction of the conductance window', Number)
    .option('--adc-bits <n>', 'ADC resolution', integer)
    .option('--exit-rule <rule>', 'margin or absolute', 'margin')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nExample:\n  engram evaluate --threshold 0.08 --memory-size 4 --samples 2000',
    )
    .action(runEvaluate);

  program
    .command('report')
    .description('Write the results report of a model (docs/<model>-report.md)')
    .argument('<model>', 'resnet-mnist')
    .option('--out <dir>', 'output folder', 'docs')
    .option('--samples <n>', 'test samples (default: all)', integer)
    .addHelpText('after', '\nExample:\n  engram report resnet-mnist')
    .action((model: string, opts: { out: string; samples?: number }) =>
      report(model, opts.out, opts.samples),
    );

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
