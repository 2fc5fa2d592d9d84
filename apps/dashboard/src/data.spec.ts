import {
  ALL,
  configurations,
  fixHiddenAxes,
  hiddenAxesText,
  meanExitFractions,
  metricByAxis,
  paretoFront,
  stat,
  varyingAxes,
} from './data';

const run = (p: Record<string, number>, m: Record<string, number>, h: number[] = [1, 1]) => ({
  parameters: p,
  metrics: m,
  exitHistogram: h,
});

describe('dashboard data', () => {
  const runs = [
    run({ pn: 0, cam: 0.1, seed: 0 }, { acc: 0.9 }, [3, 1]),
    run({ pn: 0, cam: 0.1, seed: 1 }, { acc: 0.7 }, [1, 3]),
    run({ pn: 0.1, cam: 0.1, seed: 0 }, { acc: 0.5 }),
    run({ pn: 0, cam: 0.2, seed: 0 }, { acc: 0.6 }),
  ];

  it('lists the axes that vary, leaving out one that repeats an earlier axis', () => {
    const withExits = runs.map((r) => ({
      ...r,
      parameters: { ...r.parameters, camExit1: r.parameters.cam, fixed: 4 },
    }));
    expect(varyingAxes(withExits, ['cam'])).toEqual(['cam', 'pn', 'seed']);
  });

  it('computes mean and sample std', () => {
    expect(stat([1, 3])).toMatchObject({ mean: 2, std: Math.SQRT2, min: 1, max: 3, n: 2 });
  });

  it('groups a metric by axis, one series per group value', () => {
    const series = metricByAxis(runs, 'pn', 'cam', 'acc');
    expect(series.map((s) => s.group)).toEqual([0.1, 0.2]);
    expect(series[0].points.map((p) => [p.x, p.mean, p.n])).toEqual([
      [0, 0.8, 2],
      [0.1, 0.5, 1],
    ]);
    expect(series[1].points).toHaveLength(1);
  });

  it('groups runs into configurations over seeds', () => {
    const configs = configurations(runs, ['pn', 'cam']);
    expect(configs.map((c) => [c.label, c.runs.length])).toEqual([
      ['pn=0 cam=0.1', 2],
      ['pn=0 cam=0.2', 1],
      ['pn=0.1 cam=0.1', 1],
    ]);
    expect(meanExitFractions(configs[0].runs)).toEqual([0.5, 0.5]);
  });

  it('finds the Pareto front (min x, max y)', () => {
    const points = [
      { x: 1, y: 0.5 },
      { x: 2, y: 0.4 },
      { x: 3, y: 0.9 },
      { x: 0.5, y: 0.2 },
    ];
    expect(paretoFront(points)).toEqual([3, 0, 2]);
  });

  it('holds a hidden axis at a value or averages over it, and says which', () => {
    const atFirst = (axis: string) => (axis === 'pn' ? '0' : ALL);
    expect(fixHiddenAxes(runs, ['pn'], atFirst).map((r) => r.metrics.acc)).toEqual([0.9, 0.7, 0.6]);
    const band = { seedShown: false, band: true };
    expect(hiddenAxesText(runs, ['pn'], atFirst, band)).toBe('pn = 0; mean ± 1 std over 2 seeds');
    expect(hiddenAxesText(runs, ['pn'], atFirst, { ...band, band: false })).toBe(
      'pn = 0; mean over 2 seeds',
    );
    expect(fixHiddenAxes(runs, ['pn'], () => ALL)).toHaveLength(4);
    expect(hiddenAxesText(runs, ['pn', 'cam'], () => ALL, band)).toBe(
      'averaged over pn ∈ {0, 0.1}; averaged over cam ∈ {0.1, 0.2}; ' +
        'mean ± 1 std over seeds and the averaged values',
    );
    expect(hiddenAxesText(runs, [], () => ALL, { seedShown: true, band: true })).toBe('');
  });
});
