/** A small dependency-free line chart with bands, written as SVG for the reports. */

export interface ChartSeries {
  label: string;
  color: string;
  dashed?: boolean;
  /** x, mean, band low, band high. */
  points: { x: number; y: number; low: number; high: number }[];
}

export interface LineChart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: ChartSeries[];
  /** Formats tick values on the y axis (default: as is). */
  yFormat?: (y: number) => string;
}

const WIDTH = 720;
const HEIGHT = 440;
const MARGIN = { left: 70, right: 190, top: 40, bottom: 56 };

/**
 * About `count` round ticks from the last one at or below `min` to the first one at or above
 * `max`, so that the axis covers every value (an axis ending on the last tick inside the data
 * would cut the top of the curves off).
 */
export function niceTicks(min: number, max: number, count: number): number[] {
  const span = max - min || 1;
  const raw = span / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const first = Math.floor(min / step + 1e-9) * step;
  const last = Math.ceil(max / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let t = first; t <= last + step * 1e-9; t += step) {
    ticks.push(Number(t.toPrecision(12)));
  }
  return ticks;
}

const escape = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function renderLineChart(chart: LineChart): string {
  const all = chart.series.flatMap((s) => s.points);
  if (!all.length) throw new Error(`chart "${chart.title}" has no points`);
  const xMin = Math.min(...all.map((p) => p.x));
  const xMax = Math.max(...all.map((p) => p.x));
  const yTicks = niceTicks(
    Math.min(...all.map((p) => p.low)),
    Math.max(...all.map((p) => p.high)),
    6,
  );
  const yMin = yTicks[0];
  const yMax = yTicks[yTicks.length - 1] > yMin ? yTicks[yTicks.length - 1] : yMin + 1;
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const sx = (x: number) => MARGIN.left + ((x - xMin) / (xMax - xMin || 1)) * plotW;
  const sy = (y: number) => MARGIN.top + (1 - (y - yMin) / (yMax - yMin)) * plotH;
  const fmtY = chart.yFormat ?? ((y: number) => String(y));
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">`,
  );
  out.push(`<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`);
  out.push(
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15">${escape(chart.title)}</text>`,
  );
  for (const t of yTicks) {
    out.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${sy(t)}" y2="${sy(t)}" stroke="#e3e3e3"/>`,
      `<text x="${MARGIN.left - 6}" y="${sy(t) + 4}" text-anchor="end">${escape(fmtY(t))}</text>`,
    );
  }
  for (const t of niceTicks(xMin, xMax, 6).filter((t) => t >= xMin - 1e-9 && t <= xMax + 1e-9)) {
    out.push(
      `<line x1="${sx(t)}" x2="${sx(t)}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH + 5}" stroke="#333"/>`,
      `<text x="${sx(t)}" y="${MARGIN.top + plotH + 18}" text-anchor="middle">${t}</text>`,
    );
  }
  out.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`,
    `<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 14}" text-anchor="middle">${escape(chart.xLabel)}</text>`,
    `<text x="18" y="${MARGIN.top + plotH / 2}" text-anchor="middle" transform="rotate(-90 18 ${MARGIN.top + plotH / 2})">${escape(chart.yLabel)}</text>`,
  );
  chart.series.forEach((s, i) => {
    const pts = [...s.points].sort((a, b) => a.x - b.x);
    const band = [
      ...pts.map((p) => `${sx(p.x).toFixed(1)},${sy(p.high).toFixed(1)}`),
      ...[...pts].reverse().map((p) => `${sx(p.x).toFixed(1)},${sy(p.low).toFixed(1)}`),
    ].join(' ');
    out.push(`<polygon points="${band}" fill="${s.color}" fill-opacity="0.15" stroke="none"/>`);
    const line = pts.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ');
    out.push(
      `<polyline points="${line}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
    );
    for (const p of pts) {
      out.push(
        `<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="3" fill="${s.color}"/>`,
      );
    }
    const ly = MARGIN.top + 14 + i * 20;
    const lx = MARGIN.left + plotW + 14;
    out.push(
      `<line x1="${lx}" x2="${lx + 26}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      `<text x="${lx + 32}" y="${ly}">${escape(s.label)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
