/**
 * A TCP port on 127.0.0.1 of this computer whose connections are carried over the workspace's SSH
 * connection to a host:port inside the guest. It is a byte stream, so HTTP, WebSocket upgrades and
 * anything else pass through untouched. It survives reconnects: each new connection uses the live link.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { ClientChannel } from 'ssh2';
import type { GuestConnection } from './connection-manager.js';

export interface LocalForwardOptions {
  connection: GuestConnection;
  guestHost: string;
  guestPort: number;
  /** 0 for any free port. */
  hostPort: number;
  /** How long a new connection waits for a dropped link to come back. */
  reconnectWaitMs?: number;
}

export class LocalForward {
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** Listens on 127.0.0.1; rejects with the socket error (EADDRINUSE, EACCES) when the port is not free. */
  static async listen(options: LocalForwardOptions): Promise<LocalForward> {
    let forward: LocalForward | null = null;
    const server = createServer({ pauseOnConnect: true }, (socket) => forward?.carry(socket, options));
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.hostPort, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
    forward = new LocalForward(server, port);
    return forward;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private carry(socket: Socket, options: LocalForwardOptions): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('error', () => socket.destroy());
    socket.once('close', () => this.sockets.delete(socket));
    options.connection.ready(options.reconnectWaitMs).then(
      (client) => {
        if (socket.destroyed) return;
        const carryOver = (error: Error | undefined, stream: ClientChannel): void => {
          if (error) {
            // Nothing listens there in the guest (yet): the caller sees a closed connection, as with a refused one.
            socket.destroy();
            return;
          }
          if (socket.destroyed) {
            stream.close();
            return;
          }
          stream.on('error', () => socket.destroy());
          // Ends (not destroys) the socket so bytes still buffered for the caller are delivered.
          stream.once('close', () => socket.end());
          socket.once('close', () => stream.close());
          socket.pipe(stream);
          stream.pipe(socket);
          socket.resume();
        };
        try {
          client.forwardOut('127.0.0.1', socket.remotePort ?? 0, options.guestHost, options.guestPort, carryOver);
        } catch {
          // The link went down between ready() and here.
          socket.destroy();
        }
      },
      () => socket.destroy(),
    );
  }
}
