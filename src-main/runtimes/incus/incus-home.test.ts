import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeIncusServer, sendSync } from './fake-incus-server.js';
import { IncusClient } from './incus-client.js';
import { writeHomeSkeleton, type SkeletonEntry } from './incus-home.js';

let server: FakeIncusServer;
let client: IncusClient;

beforeEach(async () => {
  server = await new FakeIncusServer().start();
  client = new IncusClient({ kind: 'unix', socketPath: server.socketPath });
  server.on('POST', /^\/1\.0\/instances\/tp-web\/files/, (_req, res) => sendSync(res, {}));
});
afterEach(async () => {
  await server.stop();
});

function entry(path: string, type: 'file' | 'directory', content = ''): SkeletonEntry {
  return { path, file: { type, uid: 1000, gid: 1000, mode: type === 'directory' ? 0o700 : 0o600, content: Buffer.from(content), entries: [] } };
}

describe('copying the image’s home folder into a new home volume', () => {
  it('copies the dotfiles but never the image’s empty authorized_keys over the key first-boot installs meanwhile', async () => {
    await writeHomeSkeleton(client, 'tp-web', [entry('.bashrc', 'file', '# bash'), entry('.ssh', 'directory'), entry('.ssh/authorized_keys', 'file')]);
    const written = server.requests.map((request) => decodeURIComponent(request.path.split('path=')[1] ?? ''));
    expect(written).toEqual(['/home/dev/.bashrc', '/home/dev/.ssh']);
  });
});
