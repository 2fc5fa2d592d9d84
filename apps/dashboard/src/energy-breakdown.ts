// Pure aggregation of the energy breakdowns for the energy panel: no DOM, unit-tested.
import { configurations } from './data';

/** The part of a run record the energy breakdown reads. */
export interface EnergyRow {
  parameters: Record<string, number | string | null>;
  metrics: Record<string, number> | null;
  exitHistogram: number[] | null;
  energyBreakdownPj: Record<string, number> | null;
  energyBaseline: string | null;
  digitalEnergyBreakdownPj: Record<string, number> | null;
}

export interface EnergyBar {
  /** Configuration label and side ("chip" or the digital baseline). */
  label: string;
  /** pJ per inference by component (mean over the runs that have it), total left out. */
  componentsPj: Record<string, number>;
}

/** Mean of each component over the breakdowns given (the total is left out). */
export function meanBreakdown(
  breakdowns: readonly (Record<string, number> | null)[],
): Record<string, number> | null {
  const present = breakdowns.filter((b): b is Record<string, number> => b !== null);
  if (present.length === 0) return null;
  const sums: Record<string, number> = {};
  for (const breakdown of present) {
    for (const [component, pj] of Object.entries(breakdown)) {
      if (component === 'totalPj') continue;
      sums[component] = (sums[component] ?? 0) + pj;
    }
  }
  return Object.fromEntries(Object.entries(sums).map(([c, pj]) => [c, pj / present.length]));
}

/**
 * Two bars per configuration: the dynamic run on the chip and the static network on the digital
 * baseline the results were compared with (named in the label), each split by component.
 */
export function energyBars(runs: readonly EnergyRow[], configAxes: readonly string[]): EnergyBar[] {
  return configurations(runs, configAxes).flatMap((config) => {
    const rows = config.runs as EnergyRow[];
    const chip = meanBreakdown(rows.map((r) => r.energyBreakdownPj));
    const digital = meanBreakdown(rows.map((r) => r.digitalEnergyBreakdownPj));
    const baselines = [...new Set(rows.map((r) => r.energyBaseline).filter((b) => b !== null))];
    const bars: EnergyBar[] = [];
    if (chip) bars.push({ label: `${config.label} · chip`, componentsPj: chip });
    if (digital) {
      bars.push({ label: `${config.label} · ${baselines.join('/')}`, componentsPj: digital });
    }
    return bars;
  });
}
