/**
 * A secret (an Incus trust token) that never has to be on the command line, where shell history and `ps`
 * would show it: piped in on stdin, or pasted at a prompt with the terminal's echo off.
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { TidepoolError } from '../../src-shared/errors.js';

export type SecretInput = NodeJS.ReadableStream & { isTTY?: boolean };

/** More than any token; stops a wrong file piped in from filling memory. */
const MAX_BYTES = 64 * 1024;

/**
 * The last non-empty line: a token piped straight from the server's
 * `incus config trust add` output comes after its "Client … certificate add token:" line.
 */
export function lastLine(text: string): string {
  const lines = text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line.length > 0);
  return lines.at(-1) ?? '';
}

export async function readSecret(input: SecretInput, prompt: { stderr: NodeJS.WritableStream; question: string }): Promise<string> {
  return input.isTTY ? promptHidden(input, prompt.stderr, prompt.question) : lastLine(await readAll(input));
}

async function readAll(input: SecretInput): Promise<string> {
  let text = '';
  for await (const chunk of input) {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (text.length > MAX_BYTES) {
      throw new TidepoolError({ code: 'INVALID_INPUT', message: `What came in on stdin is longer than ${MAX_BYTES / 1024} KiB: not a trust token.` });
    }
  }
  return text;
}

function promptHidden(input: SecretInput, stderr: NodeJS.WritableStream, question: string): Promise<string> {
  stderr.write(question);
  // readline echoes what is typed to its output in terminal mode: give it one that drops everything.
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
  const reader = createInterface({ input, output: silent, terminal: true });
  return new Promise((resolve, reject) => {
    let answered = false;
    reader.once('line', (line) => {
      answered = true;
      stderr.write('\n');
      reader.close();
      resolve(line.trim());
    });
    reader.once('SIGINT', () => {
      answered = true;
      stderr.write('\n');
      reader.close();
      reject(new TidepoolError({ code: 'CANCELLED', message: 'Cancelled; nothing was changed.' }));
    });
    reader.once('close', () => {
      if (!answered) resolve('');
    });
  });
}
