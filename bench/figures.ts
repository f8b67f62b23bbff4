/**
 * The figures a bench run produces. Each sample carries the 1-minute load average at the moment it was
 * taken, because on a shared machine a slow figure means little without it.
 */
import { loadavg } from 'node:os';
import { summarise, type Summary } from './stats.js';

export type Unit = 'ms' | 'MiB' | '%' | 'ratio' | 'count';

export interface Figure {
  id: string;
  /** The section of the table it belongs to. */
  group: string;
  label: string;
  unit: Unit;
  samples: number[];
  loads: number[];
  summary: Summary | null;
  /** How it was measured or what it includes, when the label alone could mislead. */
  note?: string;
}

export class Figures {
  private readonly byId = new Map<string, Figure>();

  /** Adds one sample to a figure, creating it on first use. */
  add(id: string, group: string, label: string, unit: Unit, value: number, note?: string): void {
    let figure = this.byId.get(id);
    if (!figure) {
      figure = { id, group, label, unit, samples: [], loads: [], summary: null, ...(note ? { note } : {}) };
      this.byId.set(id, figure);
    }
    figure.samples.push(value);
    figure.loads.push(loadavg()[0]!);
    figure.summary = summarise(figure.samples);
  }

  get(id: string): Figure | undefined {
    return this.byId.get(id);
  }

  all(): Figure[] {
    return [...this.byId.values()];
  }
}
