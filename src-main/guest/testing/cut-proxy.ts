/**
 * Test support: a TCP relay in front of a server whose live connections can be cut (both ends see a
 * reset) or frozen (bytes stop flowing, as when a laptop sleeps or a Wi-Fi link dies silently).
 */
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

export interface CutProxy {
  port: number;
  /** Drops every relayed connection at once. */
  cut(): void;
  /** Stops relaying bytes on the connections open now, without closing them. */
  freeze(): void;
  /** How many connections have been relayed so far. */
  connections(): number;
  close(): Promise<void>;
}

export async function startCutProxy(targetPort: number): Promise<CutProxy> {
  const pairs = new Set<[Socket, Socket]>();
  const frozen = new Set<[Socket, Socket]>();
  let count = 0;
  const server = createServer((inbound) => {
    count += 1;
    const outbound = connect(targetPort, '127.0.0.1');
    const pair: [Socket, Socket] = [inbound, outbound];
    pairs.add(pair);
    const drop = (): void => {
      pairs.delete(pair);
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on('error', drop).on('close', drop);
    outbound.on('error', drop).on('close', drop);
    inbound.pipe(outbound);
    outbound.pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    cut: () => {
      for (const [inbound, outbound] of [...pairs]) {
        inbound.resetAndDestroy();
        outbound.resetAndDestroy();
      }
    },
    freeze: () => {
      for (const pair of [...pairs]) {
        const [inbound, outbound] = pair;
        pairs.delete(pair);
        frozen.add(pair);
        inbound.unpipe(outbound);
        outbound.unpipe(inbound);
        inbound.pause();
        outbound.pause();
      }
    },
    connections: () => count,
    close: async () => {
      for (const [inbound, outbound] of [...pairs, ...frozen]) {
        inbound.destroy();
        outbound.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
