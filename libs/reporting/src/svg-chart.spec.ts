import { niceTicks, renderLineChart } from './svg-chart';

describe('renderLineChart', () => {
  const chart = {
    title: 'Accuracy <vs> noise',
    xLabel: 'noise',
    yLabel: 'accuracy',
    series: [
      {
        label: 'static',
        color: '#1f77b4',
        points: [
          { x: 0, y: 0.99, low: 0.98, high: 1 },
          { x: 0.3, y: 0.5, low: 0.4, high: 0.6 },
        ],
      },
    ],
  };

  it('draws a band, a line and a legend entry per series, with escaped text', () => {
    const svg = renderLineChart(chart);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('Accuracy &lt;vs&gt; noise');
    expect(svg.match(/<polygon /g)).toHaveLength(1);
    expect(svg.match(/<polyline /g)).toHaveLength(1);
    expect(svg.match(/<circle /g)).toHaveLength(2);
    expect(svg).toContain('>static</text>');
  });

  it('covers every value with its ticks, the ends included', () => {
    const check = (min: number, max: number) => {
      const ticks = niceTicks(min, max, 6);
      expect(ticks[0]).toBeLessThanOrEqual(min);
      expect(ticks[ticks.length - 1]).toBeGreaterThanOrEqual(max);
      expect(ticks.length).toBeLessThanOrEqual(9);
    };
    check(20.1, 99.53); // accuracies in percent: 20 ... 100, not 20 ... 80
    check(0, 1);
    check(0.4, 0.6);
    check(93.2, 97.8);
    expect(niceTicks(20.1, 99.53, 6)).toEqual([20, 40, 60, 80, 100]);
  });

  it('draws every point inside the plot area', () => {
    const svg = renderLineChart({
      ...chart,
      series: [
        {
          ...chart.series[0],
          points: [
            { x: 0, y: 99.5, low: 99.4, high: 99.6 },
            { x: 0.3, y: 22.8, low: 17.4, high: 28.1 },
          ],
        },
      ],
    });
    const plot =
      /<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="none"/.exec(svg)!;
    const [top, height] = [Number(plot[2]), Number(plot[4])];
    for (const [, cy] of svg.matchAll(/<circle [^>]*cy="([\d.-]+)"/g)) {
      expect(Number(cy)).toBeGreaterThanOrEqual(top);
      expect(Number(cy)).toBeLessThanOrEqual(top + height);
    }
  });

  it('refuses a chart without points', () => {
    expect(() => renderLineChart({ ...chart, series: [] })).toThrow(/no points/);
  });
});
