import { EnergyRow, energyBars, meanBreakdown } from './energy-breakdown';

function row(
  seed: number,
  chip: Record<string, number> | null,
  digital: Record<string, number> | null,
  baseline: string | null,
): EnergyRow {
  return {
    parameters: { seed, memorySize: 2 },
    metrics: { dynamicAccuracy: 0.99 },
    exitHistogram: null,
    energyBreakdownPj: chip,
    energyBaseline: baseline,
    digitalEnergyBreakdownPj: digital,
  };
}

describe('energy breakdown panel data', () => {
  it('averages each component over the runs that have a breakdown, total left out', () => {
    expect(
      meanBreakdown([
        { adcPj: 2, dacPj: 4, totalPj: 6 },
        null,
        { adcPj: 4, dacPj: 8, totalPj: 12 },
      ]),
    ).toEqual({ adcPj: 3, dacPj: 6 });
    expect(meanBreakdown([null])).toBeNull();
  });

  it('gives each configuration a chip bar and a bar named after its digital baseline', () => {
    const runs = [
      row(1, { crossbarArrayPj: 10, totalPj: 10 }, { macPj: 100, totalPj: 100 }, 'int8-dataflow'),
      row(2, { crossbarArrayPj: 30, totalPj: 30 }, { macPj: 300, totalPj: 300 }, 'int8-dataflow'),
    ];
    expect(energyBars(runs, ['memorySize'])).toEqual([
      { label: 'K=2 · chip', componentsPj: { crossbarArrayPj: 20 } },
      { label: 'K=2 · int8-dataflow', componentsPj: { macPj: 200 } },
    ]);
  });

  it('shows only the chip for results of energy model 1', () => {
    const bars = energyBars([row(1, { cimPj: 5, totalPj: 5 }, null, null)], ['memorySize']);
    expect(bars).toEqual([{ label: 'K=2 · chip', componentsPj: { cimPj: 5 } }]);
  });
});
