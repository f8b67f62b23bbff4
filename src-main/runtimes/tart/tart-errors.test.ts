import { describe, expect, it } from 'vitest';
import { tartFailure } from './tart-errors.js';

const context = { action: 'start the VM tp-web', vm: 'tp-web', image: 'tidepool-0.1.0', softnetCommand: 'sudo sh -c "chown root /s && chmod u+s /s"' };
const failed = (stderr: string, exitCode = 1, args = ['run', 'tp-web']) => tartFailure(args, { exitCode, signal: null, stdout: '', stderr }, context);

describe("Tart's failures as typed errors", () => {
  it.each([
    ['the specified VM "tp-web" does not exist', 2, 'NOT_FOUND', 'The Tart VM tp-web does not exist; it was deleted outside Tidepool.'],
    ['Error: the specified VM "tp-web" does not exist', 1, 'NOT_FOUND', 'The Tart VM tp-web does not exist; it was deleted outside Tidepool.'],
    ['the specified VM "tidepool-0.1.0" does not exist', 2, 'IMAGE_MISSING', 'The workspace image tidepool-0.1.0 is not in Tart.'],
    ['VM "tp-web" is already running!', 2, 'BUSY', 'The Tart VM tp-web is already running; it was started outside Tidepool.'],
    ['VM "tp-web" is not running', 2, 'INVALID_STATE', 'The Tart VM tp-web is not running.'],
    ['VM "tp-web" is running', 1, 'BUSY', 'The Tart VM tp-web is still running, so Tart will not remove it.'],
    ['no IP address found, is your VM running?', 1, 'TIMEOUT', 'The Tart VM tp-web got no network address in time.'],
    [
      'root privileges are required to run and passwordless sudo was not available\nRuntimeFailed(why: "Softnet process terminated prematurely")',
      1,
      'RUNTIME_NOT_SET_UP',
      'Softnet, which keeps workspaces off your local network, needs a one-time set-up with administrator rights.',
    ],
    ['Error: InitializationFailed(why: "softnet not found in PATH")', 1, 'RUNTIME_NOT_SET_UP', 'Softnet, which Tart uses to keep workspaces off your local network, is not installed.'],
    ['RuntimeFailed(why: "Softnet process terminated prematurely")', 1, 'RUNTIME_ERROR', 'Softnet stopped right after tp-web started, so Tart shut the VM down.'],
    [
      'Error: Error Domain=NSCocoaErrorDomain Code=640 "“disk.img” couldn’t be copied to “tmp” because there isn’t enough space."',
      1,
      'DISK_FULL',
      "The Mac's disk is full, so Tart could not start the VM tp-web.",
    ],
    ["*** Terminating app due to uncaught exception 'NSFileHandleOperationException', reason: '*** -[NSConcreteFileHandle writeData:]: No space left on device'", 134, 'DISK_FULL', "The Mac's disk is full, so Tart could not start the VM tp-web."],
    ['The number of VMs exceeds the system limit (other running VMs: a, b)', 1, 'RUNTIME_ERROR', 'macOS refused to run another VM, so Tart could not start the VM tp-web.'],
    ["TART_HOME is invalid: /Volumes/x does not exist, yet we can't create it: denied", 1, 'RUNTIME_NOT_SET_UP', 'Tart cannot use the folder set as its storage (TART_HOME).'],
    ['disk /Users/a/disk.img seems to be already in use, unmount it first in Finder', 1, 'BUSY', 'The disk of tp-web is in use by another program.'],
    ['Error: UnexpectedHTTPStatusCode(when: "pulling manifest", code: 404, details: "")', 1, 'RUNTIME_ERROR', 'A download from the image registry failed, so Tart could not start the VM tp-web.'],
    ['Error Domain=VZErrorDomain Code=1 "The virtual machine failed to start."', 1, 'RUNTIME_ERROR', 'macOS could not start the VM tp-web.'],
    ["Error: Unknown option '--net-softnet-block'\nUsage: tart run <name>", 64, 'RUNTIME_ERROR', 'Tart refused the command Tidepool gave it to start the VM tp-web.'],
    ['something nobody expected', 1, 'RUNTIME_ERROR', 'Tart could not start the VM tp-web.'],
  ])('%s (exit %i) → %s', (stderr, exitCode, code, message) => {
    const error = failed(stderr, exitCode);
    expect(error).toMatchObject({ code, message });
    expect(error.hint).toBeTruthy();
    expect(error.detail).toBe(`\`tart run tp-web\` exited ${exitCode}: ${stderr}`);
  });

  it('names the exact Softnet set-up command', () => {
    expect(failed('root privileges are required to run and passwordless sudo was not available').hint).toContain(context.softnetCommand);
  });

  it('says how to upgrade when Tart refuses a flag', () => {
    expect(failed("Error: Unknown option '--net-softnet-block'", 64).hint).toContain('brew upgrade tart');
  });
});
