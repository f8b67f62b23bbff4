import { describe, expect, it } from 'vitest';
import { METHOD_NAMES, ipcChannel } from '../../src-shared/contract.js';
import { channelForMethod } from './bridge-channels.js';

describe('preload allow-list', () => {
  it('maps every contract method to its channel', () => {
    expect(METHOD_NAMES.length).toBeGreaterThan(20);
    for (const name of METHOD_NAMES) expect(channelForMethod(name)).toBe(ipcChannel(name));
  });

  it('refuses names the contract does not declare, including inherited object keys', () => {
    for (const name of ['', 'deleteEverything', 'ListWorkspaces', 'constructor', '__proto__', 'toString', 'hasOwnProperty', 'tidepool:event', 'tidepool:listWorkspaces']) {
      expect(channelForMethod(name), name).toBeNull();
    }
  });

  it('refuses anything that is not a string', () => {
    for (const value of [undefined, null, 1, {}, ['listWorkspaces'], { toString: () => 'listWorkspaces' }]) {
      expect(channelForMethod(value)).toBeNull();
    }
  });
});
