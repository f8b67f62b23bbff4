/** Per-workspace log lines (boot, provisioning, runtime output) kept for the Logs tab and `tidepool logs`. */
import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { LogLine } from '../../src-shared/workspace.js';

const KEEP_IN_MEMORY = 2000;

export class WorkspaceLogs {
  private readonly lines = new Map<string, LogLine[]>();

  /** With a folder, lines are also appended to `<folder>/<workspace id>.log`. */
  constructor(private readonly folder: string | null, private readonly onLine: (line: LogLine) => void) {
    if (folder) mkdirSync(folder, { recursive: true, mode: 0o700 });
  }

  add(line: LogLine): void {
    const list = this.lines.get(line.workspaceId) ?? [];
    list.push(line);
    if (list.length > KEEP_IN_MEMORY) list.splice(0, list.length - KEEP_IN_MEMORY);
    this.lines.set(line.workspaceId, list);
    if (this.folder) {
      try {
        appendFileSync(this.fileOf(line.workspaceId), `${line.at} [${line.source}] ${line.level}: ${line.text}\n`, { mode: 0o600 });
      } catch {
        // The in-memory copy still serves the Logs tab; a full disk is reported by the operation itself.
      }
    }
    this.onLine(line);
  }

  recent(workspaceId: string, limit = 500): LogLine[] {
    return (this.lines.get(workspaceId) ?? []).slice(-limit);
  }

  remove(workspaceId: string): void {
    this.lines.delete(workspaceId);
    if (this.folder) rmSync(this.fileOf(workspaceId), { force: true });
  }

  fileOf(workspaceId: string): string {
    return join(this.folder ?? '.', `${workspaceId}.log`);
  }
}
