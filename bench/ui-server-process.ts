/** Starts bench/ui-server.ts as a child (its own event loop, like a real `tidepool serve`) and stops it. */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./ui-server.ts', import.meta.url));

export interface UiServer {
  origin: string;
  token: string;
  cookie: { name: string; value: string };
  workspaces: number;
  stop(): Promise<void>;
}

export async function startUiServer(workspaces: number): Promise<UiServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, String(workspaces)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const first = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      lines.close();
      resolve(line);
    });
    child.once('exit', (code) => reject(new Error(`the UI server exited (${code}) before it was ready`)));
  });
  const info = JSON.parse(first) as Omit<UiServer, 'stop'>;
  return {
    ...info,
    stop: async () => {
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
