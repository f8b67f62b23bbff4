import { describe, expect, it } from 'vitest';
import { parseListeningPorts } from './ports.js';

describe('parseListeningPorts', () => {
  it('lists each listening port once, with its process and the widest address', () => {
    const output = [
      'LISTEN 0      4096         127.0.0.1:13337      0.0.0.0:*    users:(("node",pid=412,fd=19))',
      'LISTEN 0      128            0.0.0.0:22         0.0.0.0:*    users:(("sshd",pid=301,fd=3))',
      'LISTEN 0      128               [::]:22            [::]:*    users:(("sshd",pid=301,fd=4))',
      'LISTEN 0      511          127.0.0.1:3000       0.0.0.0:*    users:(("node",pid=900,fd=21))',
      'LISTEN 0      511              [::1]:3000          [::]:*    users:(("node",pid=900,fd=22))',
      'LISTEN 0      5                    *:8000             *:*',
      'LISTEN 0      4096     127.0.0.53%lo:53         0.0.0.0:*',
      '',
    ].join('\n');
    expect(parseListeningPorts(output)).toEqual([
      { port: 22, address: '0.0.0.0', process: 'sshd' },
      { port: 53, address: '127.0.0.53', process: null },
      { port: 3000, address: '127.0.0.1', process: 'node' },
      { port: 8000, address: '*', process: null },
      { port: 13337, address: '127.0.0.1', process: 'node' },
    ]);
  });

  it('prefers a wildcard address over loopback for the same port', () => {
    const output = [
      'LISTEN 0 511 [::1]:5173 [::]:* users:(("vite",pid=1,fd=3))',
      'LISTEN 0 511 [::]:5173 [::]:*',
    ].join('\n');
    expect(parseListeningPorts(output)).toEqual([{ port: 5173, address: '::', process: 'vite' }]);
  });

  it('names a process by its executable when the listing has it (a Node thread calls itself MainThread)', () => {
    const output = [
      'LISTEN 0 511 127.0.0.1:4173 0.0.0.0:* users:(("MainThread",pid=310,fd=20))',
      'LISTEN 0 128 0.0.0.0:8080 0.0.0.0:* users:(("python3",pid=320,fd=3))',
      'LISTEN 0 128 0.0.0.0:9000 0.0.0.0:* users:(("server",pid=330,fd=3))',
      '#executables',
      '310 /usr/local/bin/node',
      '320 /usr/bin/python3.13',
      '330 /home/dev/bin/server (deleted)',
    ].join('\n');
    expect(parseListeningPorts(output).map((port) => port.process)).toEqual(['node', 'python3.13', 'server']);
  });

  it('ignores anything that is not a listening socket line', () => {
    expect(parseListeningPorts('State Recv-Q Send-Q Local Peer\nESTAB 0 0 10.0.0.2:22 10.0.0.1:5000\ngarbage')).toEqual([]);
  });
});
