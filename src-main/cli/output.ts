/** How results reach the user: aligned tables for people, JSON on stdout for scripts, errors on stderr. */
import type { TidepoolErrorData } from '../../src-shared/errors.js';

export interface Output {
  json: boolean;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export function printJson(out: Output, value: unknown): void {
  out.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function table(rows: string[][], header: string[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  return all
    .map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ').trimEnd())
    .join('\n');
}

/** With --json the error goes to stdout as `{ "error": {...} }` (the exit code says it failed); always a line on stderr. */
export function printError(out: Output, error: TidepoolErrorData): void {
  if (out.json) printJson(out, { error });
  const lines = [`Error: ${error.message}`];
  if (error.fields) {
    for (const [field, message] of Object.entries(error.fields)) {
      if (!error.message.includes(message)) lines.push(`  ${field === '_' ? '' : `${field}: `}${message}`);
    }
  }
  if (error.hint) lines.push(`Hint: ${error.hint}`);
  if (error.detail) lines.push(`Detail: ${error.detail}`);
  out.stderr.write(`${lines.join('\n')}\n`);
}

export function ago(iso: string | null, now: number = Date.now()): string {
  if (!iso) return '-';
  const ms = now - Date.parse(iso);
  if (Number.isNaN(ms)) return '-';
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}
