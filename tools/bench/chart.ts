/** A hand-written SVG: one horizontal bar per benchmark (its ratio), its goal as a tick, green met / red missed. */

export interface ChartRow {
  label: string;
  /** The ratio (or figure ÷ goal for an absolute goal, whose goal is then 1). */
  value: number;
  goal: number;
  higherIsBetter: boolean;
  /** Printed right of the bar. */
  text: string;
  met?: boolean;
}

const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function renderChart(rows: ChartRow[], title: string): string {
  const labelWidth = 400;
  const barWidth = 380;
  const textWidth = 230;
  const rowHeight = 26;
  const top = 64;
  const width = labelWidth + barWidth + textWidth;
  const height = top + rows.length * rowHeight + 36;
  const finite = rows.flatMap((r) => [r.value, r.goal]).filter(Number.isFinite);
  const axisMax = Math.min(4, Math.max(1.5, Math.ceil(Math.max(...finite, 1) * 1.1 * 2) / 2));
  const x = (value: number): number => labelWidth + (Math.min(Math.max(value, 0), axisMax) / axisMax) * barWidth;

  const grid: string[] = [];
  for (let tick = 0; tick <= axisMax + 1e-9; tick += 0.5) {
    grid.push(
      `<line x1="${x(tick)}" y1="${top - 6}" x2="${x(tick)}" y2="${height - 30}" stroke="#e0e0e0"/>`,
      `<text x="${x(tick)}" y="${height - 14}" text-anchor="middle" class="axis">${tick}×</text>`,
    );
  }
  const bars = rows.map((row, i) => {
    const y = top + i * rowHeight;
    const colour = row.met === undefined ? '#9e9e9e' : row.met ? '#2e7d32' : '#c62828';
    const value = Number.isFinite(row.value) ? row.value : 0;
    const clipped = value > axisMax ? `<text x="${x(axisMax) - 4}" y="${y + 15}" text-anchor="end" class="clip">»</text>` : '';
    return [
      `<text x="${labelWidth - 10}" y="${y + 15}" text-anchor="end" class="label">${escape(row.label)}</text>`,
      `<rect x="${labelWidth}" y="${y + 4}" width="${Math.max(1, x(value) - labelWidth)}" height="${rowHeight - 9}" fill="${colour}" rx="2"/>`,
      clipped,
      `<line x1="${x(row.goal)}" y1="${y + 1}" x2="${x(row.goal)}" y2="${y + rowHeight - 2}" stroke="#111" stroke-width="3"/>`,
      `<text x="${labelWidth + barWidth + 10}" y="${y + 15}" class="value">${escape(row.text)}${row.met === undefined ? '' : row.met ? ' ✓' : ' ✗'}</text>`,
    ].join('');
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">
<style>.title{font-size:15px;font-weight:bold}.legend{font-size:11px;fill:#555}.label{font-size:12px}.value{font-size:12px}.axis{font-size:11px;fill:#555}.clip{font-size:13px;fill:#fff;font-weight:bold}</style>
<rect width="100%" height="100%" fill="#fff"/>
<text x="12" y="22" class="title">${escape(title)}</text>
<text x="12" y="42" class="legend">bar = figure ÷ baseline (rows with an absolute goal: figure ÷ goal, goal at 1×) · black tick = goal · green = met, red = missed · » = beyond the axis</text>
${grid.join('\n')}
${bars.join('\n')}
</svg>
`;
}
