/** The readable side of a bench run: the machine, every figure as min / median / max with the load, the targets. */
import type { Figure } from './figures.js';
import type { Machine } from './machine.js';
import type { Verdict } from './targets.js';

function format(value: number, unit: Figure['unit'], asSeconds: boolean): string {
  if (!Number.isFinite(value)) return '–';
  if (unit === 'ms') return asSeconds ? (value / 1000).toFixed(2) : value.toFixed(value < 10 ? 2 : 0);
  if (unit === 'ratio') return value.toFixed(2);
  if (unit === 'count') return String(Math.round(value));
  return value.toFixed(1);
}

function unitLabel(unit: Figure['unit'], asSeconds: boolean): string {
  if (unit === 'ms') return asSeconds ? 's' : 'ms';
  return unit === 'ratio' || unit === 'count' ? '' : unit;
}

function pad(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) =>
    row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ').trimEnd(),
  );
}

export function machineLines(machine: Machine): string[] {
  const runtime = Object.entries(machine.runtime).map(([key, value]) => `${key}: ${value}`).join(', ');
  return [
    `Machine: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB, ${machine.os}, kernel ${machine.kernel}, Node ${machine.node}`,
    `Runtime: ${runtime}`,
    `Load average at start: ${machine.loadAtStart.join(' / ')} (1 / 5 / 15 min)`,
  ];
}

export function figureLines(figures: Figure[]): string[] {
  const lines: string[] = [];
  const groups = [...new Set(figures.map((figure) => figure.group))];
  for (const group of groups) {
    const rows: string[][] = [['  ' + group, 'n', 'min', 'median', 'max', 'unit', 'load']];
    for (const figure of figures.filter((candidate) => candidate.group === group)) {
      const summary = figure.summary;
      const asSeconds = figure.unit === 'ms' && (summary?.median ?? 0) >= 100;
      const loads = [...figure.loads].sort((a, b) => a - b);
      rows.push([
        `    ${figure.label}`,
        String(summary?.n ?? 0),
        summary ? format(summary.min, figure.unit, asSeconds) : '–',
        summary ? format(summary.median, figure.unit, asSeconds) : '–',
        summary ? format(summary.max, figure.unit, asSeconds) : '–',
        unitLabel(figure.unit, asSeconds),
        loads.length ? loads[Math.floor(loads.length / 2)]!.toFixed(1) : '–',
      ]);
    }
    lines.push('', ...pad(rows));
    for (const figure of figures.filter((candidate) => candidate.group === group && candidate.note)) {
      lines.push(`      * ${figure.label}: ${figure.note}`);
    }
  }
  return lines;
}

export function targetLines(verdicts: Verdict[]): string[] {
  const rows = verdicts.map((verdict) => {
    const { target } = verdict;
    const shown = (value: number): string => (target.unit === 'ms' ? `${(value / 1000).toFixed(2)} s` : target.unit === 'ratio' ? value.toFixed(2) : `${value.toFixed(1)} ${target.unit}`);
    return [
      `  ${target.label}`,
      `≤ ${shown(target.atMost)}`,
      verdict.median === null ? 'not measured' : shown(verdict.median),
      verdict.met === null ? '–' : verdict.met ? 'met' : 'MISSED',
    ];
  });
  return ['', 'Targets', ...pad([['  target', 'goal', 'median', 'verdict'], ...rows])];
}

export function skippedLines(skipped: { what: string; why: string }[]): string[] {
  return skipped.length === 0 ? [] : ['', 'Not measured', ...skipped.map((entry) => `  ${entry.what}: ${entry.why}`)];
}
