/** Test support: a tiny HTTP + WebSocket server on 127.0.0.1 standing in for code-server. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

export interface IdeStandIn {
  port: number;
  close(): Promise<void>;
}

/** `healthy` decides what /healthz answers (503 while false), to play a hung code-server. */
export async function startIdeStandIn(healthy: () => boolean = () => true): Promise<IdeStandIn> {
  const sockets = new WebSocketServer({ noServer: true });
  sockets.on('connection', (socket) => socket.on('message', (data) => socket.send(`echo:${data.toString()}`)));
  const server: Server = createServer((request, response) => {
    if (request.url === '/healthz') {
      const alive = healthy();
      response.writeHead(alive ? 200 : 503, { 'content-type': 'application/json' });
      response.end(alive ? '{"status":"alive"}' : '{"status":"hung"}');
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end('<!doctype html><title>stand-in</title><div class="monaco-workbench">workbench</div>');
  });
  server.on('upgrade', (request, socket, head) => {
    sockets.handleUpgrade(request, socket, head, (ws) => sockets.emit('connection', ws, request));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const client of sockets.clients) client.terminate();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
