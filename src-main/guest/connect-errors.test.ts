import { describe, expect, it } from 'vitest';
import { connectFailure, retryReason } from './connect-errors.js';

function socketError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

const attempt = { name: 'api', address: '192.168.64.5', port: 22, waitedMs: 30_000 };

describe('connectFailure', () => {
  it('turns macOS’s “no route to host” into LOCAL_NETWORK_DENIED pointing at the privacy setting', () => {
    const error = connectFailure(socketError('EHOSTUNREACH', 'connect EHOSTUNREACH 192.168.64.5:22'), { ...attempt, platform: 'darwin' });
    expect(error.code).toBe('LOCAL_NETWORK_DENIED');
    expect(error.hint).toContain('Privacy & Security → Local Network');
    expect(error.detail).toContain('EHOSTUNREACH');
  });

  it('keeps “no route to host” on Linux as an unreachable guest, with the socket’s own words', () => {
    const error = connectFailure(socketError('EHOSTUNREACH', 'connect EHOSTUNREACH 10.0.0.5:22'), { ...attempt, platform: 'linux' });
    expect(error.code).toBe('GUEST_UNREACHABLE');
    expect(error.message).toContain('192.168.64.5:22');
    expect(error.message).toContain('30 s');
    expect(error.detail).toBe('connect EHOSTUNREACH 10.0.0.5:22');
  });

  it('says plainly when the guest refused Tidepool’s key', () => {
    const refused = Object.assign(new Error('All configured authentication methods failed'), { level: 'client-authentication' });
    const error = connectFailure(refused, { ...attempt, platform: 'linux' });
    expect(error.code).toBe('GUEST_UNREACHABLE');
    expect(error.message).toBe('“api” did not accept Tidepool’s SSH key.');
    expect(error.detail).toBe('All configured authentication methods failed');
  });

  it('explains retries in the user’s words', () => {
    expect(retryReason(socketError('ECONNREFUSED', 'connect ECONNREFUSED'), 'linux')).toBe('SSH is not up yet');
    expect(retryReason(socketError('EHOSTUNREACH', 'connect EHOSTUNREACH'), 'darwin')).toContain('local network');
  });
});
