/**
 * The policy benchmark's chart as a hand-written SVG: one panel per trace,
 * byte hit ratio above and hit ratio below, a bar per policy at each
 * capacity. No dependency, readable in any browser and on GitHub.
 */

export interface ChartRow {
  readonly trace: string;
  readonly capacityGb: number;
  readonly policy: string;
  readonly hitRatio: number;
  readonly byteHitRatio: number;
}

const COLORS: Readonly<Record<string, string>> = { lru: '#9aa5b1', belady: '#4c78a8', arena: '#f58518' };
const PANEL_WIDTH = 300;
const PANEL_HEIGHT = 170;
const GAP = 40;
const LEFT = 60;
const TOP = 70;

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function policyChart(rows: readonly ChartRow[], policies: readonly string[], subtitle: string): string {
  const traces = [...new Set(rows.map((row) => row.trace))];
  const capacities = [...new Set(rows.map((row) => row.capacityGb))].sort((a, b) => a - b);
  const metrics = [
    { key: 'byteHitRatio', label: 'byte hit ratio' },
    { key: 'hitRatio', label: 'hit ratio' },
  ] as const;
  const width = LEFT + traces.length * (PANEL_WIDTH + GAP);
  const height = TOP + metrics.length * (PANEL_HEIGHT + 60) + 20;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${LEFT}" y="24" font-size="16" font-weight="bold">Cache policies replayed on generated ComfyUI usage traces</text>`,
    `<text x="${LEFT}" y="44" fill="#555">${escape(subtitle)}</text>`,
  ];
  policies.forEach((policy, index) => {
    const x = width - 110 * (policies.length - index);
    out.push(
      `<rect x="${x}" y="34" width="12" height="12" fill="${COLORS[policy] ?? '#333'}"/>`,
      `<text x="${x + 16}" y="44">${escape(policy)}</text>`,
    );
  });
  metrics.forEach((metric, metricIndex) => {
    const top = TOP + metricIndex * (PANEL_HEIGHT + 60);
    traces.forEach((trace, traceIndex) => {
      const left = LEFT + traceIndex * (PANEL_WIDTH + GAP);
      const y = (ratio: number) => top + 20 + (1 - ratio) * PANEL_HEIGHT;
      out.push(`<text x="${left}" y="${top + 10}" font-weight="bold">${escape(trace)}: ${metric.label}</text>`);
      for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
        out.push(`<line x1="${left}" x2="${left + PANEL_WIDTH}" y1="${y(tick)}" y2="${y(tick)}" stroke="#e3e3e3"/>`);
        if (traceIndex === 0) out.push(`<text x="${left - 8}" y="${y(tick) + 4}" text-anchor="end" fill="#555">${tick.toFixed(2)}</text>`);
      }
      const group = PANEL_WIDTH / capacities.length;
      const bar = (group - 16) / policies.length;
      capacities.forEach((capacity, capacityIndex) => {
        const groupLeft = left + capacityIndex * group + 8;
        out.push(`<text x="${groupLeft + (group - 16) / 2}" y="${y(0) + 16}" text-anchor="middle" fill="#555">${capacity} GB</text>`);
        policies.forEach((policy, policyIndex) => {
          const row = rows.find((candidate) => candidate.trace === trace && candidate.capacityGb === capacity && candidate.policy === policy);
          if (row === undefined) return;
          const value = row[metric.key];
          const x = groupLeft + policyIndex * bar;
          out.push(
            `<rect x="${x.toFixed(1)}" y="${y(value).toFixed(1)}" width="${(bar - 2).toFixed(1)}" height="${(y(0) - y(value)).toFixed(1)}" fill="${COLORS[policy] ?? '#333'}"><title>${escape(`${trace}, ${capacity} GB, ${policy}: ${metric.label} ${value.toFixed(3)}`)}</title></rect>`,
          );
        });
      });
    });
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
