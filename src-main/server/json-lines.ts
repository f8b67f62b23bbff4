/**
 * Newline-delimited JSON over a byte stream (the local socket). A line longer than the limit closes the
 * stream instead of growing a buffer without bound.
 */
import type { Socket } from 'node:net';
import { MAX_PAYLOAD_BYTES } from '../api/dispatch.js';

/** A call carries at most one payload; its envelope and JSON escaping can double its size. */
export const MAX_LINE_BYTES = MAX_PAYLOAD_BYTES * 2 + 1024;

export function readJsonLines(socket: Socket, onMessage: (message: unknown) => void, onTooLong: () => void): void {
  let pending = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    pending += chunk;
    let newline = pending.indexOf('\n');
    while (newline !== -1) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (line.trim() !== '') {
        let message: unknown;
        try {
          message = JSON.parse(line);
        } catch {
          message = undefined;
        }
        onMessage(message);
      }
      newline = pending.indexOf('\n');
    }
    if (pending.length > MAX_LINE_BYTES) {
      pending = '';
      onTooLong();
    }
  });
}

export function writeJsonLine(socket: Socket, message: unknown): void {
  if (!socket.destroyed && socket.writable) socket.write(`${JSON.stringify(message)}\n`);
}
