import { renderLineChart } from './svg-chart';

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

  it('refuses a chart without points', () => {
    expect(() => renderLineChart({ ...chart, series: [] })).toThrow(/no points/);
  });
});
