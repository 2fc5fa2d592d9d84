import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_DEVICE_PROFILE } from '@engram/hardware';
import { DEFAULT_ENERGY_PARAMETERS, ENERGY_PARAMETERS, sramAccessPj } from './energy-parameters';

const ENERGY_MODEL_DOC = readFileSync(
  join(__dirname, '..', '..', '..', 'docs', 'energy-model.md'),
  'utf8',
);

/** A markdown table row starting with these cells, whatever the padding prettier adds. */
function tableRow(...cells: string[]): RegExp {
  const escaped = cells.map((cell) => cell.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`\\|\\s*${escaped.join('\\s*\\|\\s*')}\\s*\\|`);
}

describe('ENERGY_PARAMETERS', () => {
  it('declares each constant once with a unit, a meaning and a source', () => {
    for (const [name, declaration] of Object.entries(ENERGY_PARAMETERS)) {
      expect([name, Number.isFinite(declaration.value)]).toEqual([name, true]);
      expect(declaration.unit).not.toBe('');
      expect(declaration.doc).not.toBe('');
      expect(declaration.source).not.toBe('');
      expect(DEFAULT_ENERGY_PARAMETERS[name as keyof typeof ENERGY_PARAMETERS]).toBe(
        declaration.value,
      );
    }
  });

  it('appears in docs/energy-model.md with its value and unit', () => {
    for (const [name, { value, unit }] of Object.entries(ENERGY_PARAMETERS)) {
      expect(ENERGY_MODEL_DOC).toMatch(tableRow(`\`${name}\``, String(value), unit));
    }
  });

  it('documents every chip energy constant of the default profile with its value', () => {
    const { energy } = DEFAULT_DEVICE_PROFILE;
    for (const name of Object.keys(energy)) {
      expect([name, ENERGY_MODEL_DOC.includes(`\`${name}\``)]).toEqual([name, true]);
    }
    expect(ENERGY_MODEL_DOC).toMatch(
      tableRow('`cellReadPjPerPulse`', `${energy.cellReadPjPerPulse} pJ`),
    );
    expect(ENERGY_MODEL_DOC).toMatch(
      tableRow('`activationBufferKb`', `${energy.activationBufferKb} KB`),
    );
    const { weightBufferKb } = DEFAULT_DEVICE_PROFILE.digitalBaseline;
    expect(ENERGY_MODEL_DOC).toMatch(
      tableRow('`digitalBaseline.weightBufferKb`', `${weightBufferKb} KB`),
    );
  });

  it('prices the default SRAMs as the document states', () => {
    // "The default activation SRAM (128 KB) costs about 1.95 pJ per access and the default weight
    // SRAM (1 MB) about 5.1 pJ."
    expect(sramAccessPj(128)).toBeCloseTo(1.95, 2);
    expect(sramAccessPj(1024)).toBeCloseTo(5.1, 1);
  });
});
