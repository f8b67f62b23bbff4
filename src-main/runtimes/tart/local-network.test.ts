import { createServer, Socket, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { TidepoolError } from '../../../src-shared/errors.js';
import { checkLocalNetworkAccess, isLocalNetworkRefusal, localNetworkRefusal } from './local-network.js';

const unreachable = Object.assign(new Error('connect EHOSTUNREACH 192.168.64.5:22'), { code: 'EHOSTUNREACH' });

/** A socket that fails the way macOS fails a connection the Local Network switch does not allow. */
function refusedSocket(): Socket {
  const socket = new Socket();
  setImmediate(() => socket.emit('error', unreachable));
  return socket;
}

describe('macOS Local Network privacy', () => {
  it('recognises the refusal by code and by message', () => {
    expect(isLocalNetworkRefusal(unreachable)).toBe(true);
    expect(isLocalNetworkRefusal(new Error('No route to host'))).toBe(true);
    expect(isLocalNetworkRefusal(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(false);
  });

  it('gives the guest layer a LOCAL_NETWORK_DENIED error on macOS only', () => {
    const error = localNetworkRefusal(unreachable, '192.168.64.5', 'darwin');
    expect(error).toBeInstanceOf(TidepoolError);
    expect(error).toMatchObject({ code: 'LOCAL_NETWORK_DENIED', detail: 'connect EHOSTUNREACH 192.168.64.5:22' });
    expect(error!.hint).toContain('System Settings → Privacy & Security → Local Network');
    expect(localNetworkRefusal(unreachable, '192.168.64.5', 'linux')).toBeNull();
  });

  it('probes once and throws on the refusal', async () => {
    await expect(checkLocalNetworkAccess('192.168.64.5', { platform: 'darwin', connect: refusedSocket })).rejects.toMatchObject({
      code: 'LOCAL_NETWORK_DENIED',
    });
  });

  it('stays quiet when the VM answers or refuses the port (sshd not up yet)', async () => {
    const server = createServer((socket) => socket.end()).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    await expect(checkLocalNetworkAccess('127.0.0.1', { platform: 'darwin', port })).resolves.toBeUndefined();
    server.close();
    await new Promise((resolve) => server.once('close', resolve));
    await expect(checkLocalNetworkAccess('127.0.0.1', { platform: 'darwin', port })).resolves.toBeUndefined();
  });
});
