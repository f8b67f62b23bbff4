#!/usr/bin/env node
// TEST DOUBLE of Tart's `tart` command, for the unit tests of Tidepool's Tart runtime. It is not Tart and
// runs no VM. Written from Tart's behaviour as read from its source (see docs/tart.md): the same
// subcommands and flags (unknown ones are refused with exit 64, so a flag typo fails a test), the same JSON
// keys and types, exit codes and message templates. VMs are folders with config.json, disk.img and nvram.bin
// under $TART_HOME/vms; "running" means the PID in .fake-run.json is alive, as Tart derives it from a lock.
//
// Test hooks, all in $TART_HOME:
//   fake-invocations.jsonl  every invocation: {"argv": [...], "env": {CI, TART_NO_AUTO_PRUNE, TART_HOME, PATH}}
//   fake-control.json       how to behave (re-read on every use):
//     version                 what `tart --version` prints (default 2.35.0)
//     softnet                 "sudo" (default: passwordless sudo works) | "needs-root" (set-up missing)
//     ipDelayMs               how long after `run` the DHCP lease appears (default 300)
//     guestIgnoresPowerButton the guest ignores SIGUSR2's power-button press
//     guestShutdownMs         how long a guest takes to power off after the button (default 200)
//     fail.run                "early-exit" | "vz-error" | "already-running"
//     fail.clone              "disk-full"
//     fail.pull               "not-found"
//     fail.list, fail.get     "malformed" (broken JSON) | "wrong-shape" (valid JSON, wrong keys)
//     fail.ip                 "never" (no lease ever appears)
//   fake-leases.json        DHCP leases by MAC; kept after a VM stops, as macOS keeps them
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';

const HOME = process.env.TART_HOME || join(homedir(), '.tart');
const VMS = join(HOME, 'vms');
const OCI = join(HOME, 'cache', 'OCIs');
const argv = process.argv.slice(2);
const control = () => readJson(join(HOME, 'fake-control.json'), {});

mkdirSync(VMS, { recursive: true });
appendFileSync(
  join(HOME, 'fake-invocations.jsonl'),
  `${JSON.stringify({
    argv,
    env: {
      CI: process.env.CI ?? null,
      TART_NO_AUTO_PRUNE: process.env.TART_NO_AUTO_PRUNE ?? null,
      TART_HOME: process.env.TART_HOME ?? null,
      PATH: process.env.PATH ?? null,
    },
  })}\n`,
);

// ---- output and exits, as Tart and swift-argument-parser print them ---------------------------------

function readJson(file, fallback) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return fallback;
  }
}

function exit(code, stderr) {
  if (stderr) process.stderr.write(`${stderr}\n`);
  process.exit(code);
}

/** A RuntimeError thrown from run(): printed without prefix; 2 for missing/not running/already running. */
function runtimeError(message, code = 1) {
  exit(code, message);
}

/** A ValidationError (or a parse error): `Error: …` plus usage, exit 64. */
function usageError(command, message) {
  exit(64, `Error: ${message}\nUsage: tart ${command} <options>\n  See 'tart ${command} --help' for more information.`);
}

const doesNotExist = (name) => `the specified VM "${name}" does not exist`;

// ---- argument parsing ------------------------------------------------------------------------------

/**
 * spec: { flags: [...], options: [...], repeatable: [...], aliases: {short: long}, positionals: [min, max] }.
 * Options can come before or after positionals, as `--opt value` or `--opt=value`.
 */
function parse(command, args, spec) {
  const flags = new Set();
  const options = {};
  const positionals = [];
  for (let i = 0; i < args.length; i += 1) {
    let arg = args[i];
    if (spec.aliases?.[arg]) arg = spec.aliases[arg];
    if (arg.startsWith('-') && arg !== '-') {
      const [name, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
      const key = name.replace(/^--?/, '');
      if (spec.flags?.includes(key)) {
        if (inline !== undefined) usageError(command, `Unknown option '${arg}'`);
        flags.add(key);
      } else if (spec.options?.includes(key) || spec.repeatable?.includes(key)) {
        const value = inline ?? args[(i += 1)];
        if (value === undefined) usageError(command, `Missing value for '--${key} <${key}>'`);
        if (spec.repeatable?.includes(key)) (options[key] ??= []).push(value);
        else options[key] = value;
      } else {
        usageError(command, `Unknown option '${arg}'`);
      }
    } else {
      positionals.push(arg);
    }
  }
  const [min, max] = spec.positionals ?? [0, 0];
  if (positionals.length < min) usageError(command, `Missing expected argument '<name>'`);
  if (positionals.length > max) usageError(command, `Unexpected argument '${positionals[max]}'`);
  return { flags, options, positionals };
}

function uint(command, key, value, max) {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) > max) usageError(command, `The value '${value}' is invalid for '--${key} <${key}>'`);
  return Number(value);
}

// ---- VM storage ------------------------------------------------------------------------------------

const vmDir = (name) => join(VMS, name);
const isVm = (dir) => ['config.json', 'disk.img', 'nvram.bin'].every((file) => existsSync(join(dir, file)));
const vmExists = (name) => !name.includes('/') && isVm(vmDir(name));

function randomMac() {
  const bytes = randomBytes(6);
  bytes[0] = (bytes[0] & 0xfe) | 0x02; // locally administered, unicast
  return [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join(':');
}

function readConfig(dir) {
  return JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
}

function writeConfig(dir, config) {
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
}

/** The virtual disk size lives beside the tiny disk.img (a real sparse 50 GB file would be slow to copy). */
function diskBytes(dir) {
  return readJson(join(dir, 'fake-disk.json'), { bytes: 20e9 }).bytes;
}

function makeVm(dir, { diskGB, mac }) {
  mkdirSync(dir, { recursive: true });
  writeConfig(dir, {
    version: 1,
    os: 'linux',
    arch: 'arm64',
    cpuCountMin: 4,
    cpuCount: 4,
    memorySizeMin: 4294967296,
    memorySize: 4294967296,
    macAddress: mac ?? randomMac(),
    display: { width: 1024, height: 768 },
    diskFormat: 'raw',
  });
  writeFileSync(join(dir, 'disk.img'), 'fake disk\n');
  writeFileSync(join(dir, 'nvram.bin'), 'fake nvram\n');
  writeFileSync(join(dir, 'fake-disk.json'), JSON.stringify({ bytes: diskGB * 1e9 }));
}

function runInfo(name) {
  return readJson(join(vmDir(name), '.fake-run.json'), null);
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

function runningPid(name) {
  const info = runInfo(name);
  return info && alive(info.pid) ? info.pid : null;
}

function state(name) {
  if (runningPid(name)) return 'running';
  if (existsSync(join(vmDir(name), 'state.vzvmsave'))) return 'suspended';
  return 'stopped';
}

function localNames() {
  return readdirSync(VMS)
    .filter((name) => isVm(vmDir(name)))
    .sort();
}

/** Cached OCI images: folders host/namespace/tag holding a VM, listed as host/namespace:tag. */
function ociNames() {
  const names = [];
  const walk = (dir, relative) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir)) {
      const full = join(dir, entry);
      const path = relative ? `${relative}/${entry}` : entry;
      if (isVm(full)) names.push(path.replace(/\/([^/]+)$/, ':$1'));
      else if (statSync(full).isDirectory()) walk(full, path);
    }
  };
  walk(OCI, '');
  return names.sort();
}

function ociDir(reference) {
  const [repository, tag] = reference.includes('@') ? reference.split('@') : [reference.replace(/:([^:/]+)$/, ''), reference.match(/:([^:/]+)$/)?.[1] ?? 'latest'];
  return join(OCI, ...repository.split('/'), tag);
}

function accessed(dir) {
  return statSync(dir).atime.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function allocatedGB(dir) {
  return ['config.json', 'disk.img', 'nvram.bin'].reduce((sum, file) => sum + statSync(join(dir, file)).size, 0) / 1e9;
}

function leases() {
  return readJson(join(HOME, 'fake-leases.json'), {});
}

function leaseFor(mac) {
  return control().fail?.ip === 'never' ? null : leases()[mac] ?? null;
}

function addressFor(mac) {
  const sum = mac.split(':').reduce((total, byte) => total + parseInt(byte, 16), 0);
  return `192.168.64.${2 + (sum % 250)}`;
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function resolveOnPath(name) {
  for (const folder of (process.env.PATH ?? '').split(delimiter)) {
    if (folder && existsSync(join(folder, name))) return join(folder, name);
  }
  return null;
}

// ---- commands --------------------------------------------------------------------------------------

const commands = {
  create(args) {
    const { flags, options, positionals } = parse('create', args, {
      flags: ['linux'],
      options: ['from-ipsw', 'disk-size', 'disk-format'],
      positionals: [1, 1],
    });
    if (!flags.has('linux') && !options['from-ipsw']) usageError('create', 'Please specify either a --from-ipsw or --linux option!');
    const diskGB = uint('create', 'disk-size', options['disk-size'], 65535) ?? 50;
    const name = positionals[0];
    const staging = join(HOME, 'tmp', `create-${process.pid}`);
    makeVm(staging, { diskGB });
    rmSync(vmDir(name), { recursive: true, force: true }); // silently replaces, as Tart does
    renameSync(staging, vmDir(name));
  },

  clone(args) {
    const { options, positionals } = parse('clone', args, {
      flags: ['insecure', 'deduplicate'],
      options: ['concurrency', 'prune-limit'],
      positionals: [2, 2],
    });
    uint('clone', 'concurrency', options.concurrency, 65535);
    uint('clone', 'prune-limit', options['prune-limit'], 2 ** 53);
    const [source, target] = positionals;
    if (target.includes('/')) usageError('clone', `<new-name> should be a local name`);
    let sourceDir;
    if (source.includes('/')) {
      sourceDir = ociDir(source);
      if (!isVm(sourceDir)) {
        if (control().fail?.pull === 'not-found') {
          exit(1, 'Error: UnexpectedHTTPStatusCode(when: "pulling manifest", code: 404, details: "")');
        }
        for (const line of ['pulling manifest...', 'pulling disk (1.3 GB compressed)...', '0%', '37%', '100%', 'pulling NVRAM...']) {
          process.stdout.write(`${line}\n`);
        }
        makeVm(sourceDir, { diskGB: 20 });
      }
    } else {
      if (!vmExists(source)) runtimeError(doesNotExist(source), 2);
      sourceDir = vmDir(source);
    }
    if (control().fail?.clone === 'disk-full') {
      exit(
        1,
        'Error: Error Domain=NSCocoaErrorDomain Code=640 "“disk.img” couldn’t be copied to “tmp” because there isn’t enough space." UserInfo={NSUnderlyingError=0x600 {Error Domain=NSPOSIXErrorDomain Code=28 "No space left on device"}}',
      );
    }
    const staging = join(HOME, 'tmp', `clone-${process.pid}`);
    rmSync(staging, { recursive: true, force: true });
    cpSync(sourceDir, staging, { recursive: true, filter: (path) => !/[\\/]\.fake-run\.json$|[\\/]state\.vzvmsave$/.test(path) });
    // A new MAC only if another local VM already has this one (so the first clone of an image keeps it).
    const config = readConfig(staging);
    if (localNames().some((name) => name !== target && readConfig(vmDir(name)).macAddress === config.macAddress)) {
      writeConfig(staging, { ...config, macAddress: randomMac() });
    }
    rmSync(vmDir(target), { recursive: true, force: true }); // silently replaces, as Tart does
    renameSync(staging, vmDir(target));
  },

  set(args) {
    const { flags, options, positionals } = parse('set', args, {
      flags: ['display-refit', 'no-display-refit', 'random-mac', 'random-serial'],
      options: ['cpu', 'memory', 'display', 'disk', 'disk-size'],
      positionals: [1, 1],
    });
    const cpu = uint('set', 'cpu', options.cpu, 65535);
    const memory = uint('set', 'memory', options.memory, 2 ** 53);
    const diskSize = uint('set', 'disk-size', options['disk-size'], 65535);
    const name = positionals[0];
    if (!vmExists(name)) runtimeError(doesNotExist(name), 2);
    const dir = vmDir(name);
    const config = readConfig(dir);
    if (cpu !== undefined) config.cpuCount = cpu;
    if (memory !== undefined) config.memorySize = memory * 1024 * 1024;
    if (flags.has('random-mac')) config.macAddress = randomMac();
    delete config.displayRefit;
    if (flags.has('display-refit')) config.displayRefit = true;
    if (flags.has('no-display-refit')) config.displayRefit = false;
    writeConfig(dir, config);
    if (diskSize !== undefined) {
      const current = diskBytes(dir);
      if (diskSize * 1e9 < current) {
        runtimeError(`new disk size of ${diskSize} GB should be larger than the current disk size of ${current / 1e9} GB`);
      }
      writeFileSync(join(dir, 'fake-disk.json'), JSON.stringify({ bytes: diskSize * 1e9 }));
    }
  },

  get(args) {
    const { options, positionals } = parse('get', args, { options: ['format'], positionals: [1, 1] });
    const name = positionals[0];
    if (!vmExists(name)) runtimeError(doesNotExist(name), 2);
    const failure = control().fail?.get;
    if (failure === 'malformed') return void process.stdout.write('{\n  "OS" : "linux",\n  "CPU" : 4,\n');
    if (failure === 'wrong-shape') return void process.stdout.write(`${JSON.stringify({ os: 'linux', state: 'running' })}\n`);
    const dir = vmDir(name);
    const config = readConfig(dir);
    const current = state(name);
    const info = {
      CPU: config.cpuCount,
      Display: `${config.display.width}x${config.display.height}`,
      State: current,
      Memory: config.memorySize / 1024 / 1024,
      OS: config.os,
      Size: allocatedGB(dir).toFixed(3),
      Disk: Math.floor(diskBytes(dir) / 1e9),
      Running: current === 'running',
      DiskFormat: config.diskFormat ?? 'raw',
    };
    if (options.format === 'json') process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
    else for (const [key, value] of Object.entries(info)) process.stdout.write(`${key} ${value}\n`);
  },

  list(args) {
    const { flags, options } = parse('list', args, { flags: ['quiet'], options: ['source', 'format'], aliases: { '-q': '--quiet' } });
    if (options.source && !['local', 'oci'].includes(options.source)) usageError('list', `'${options.source}' is not a valid <source>`);
    const failure = control().fail?.list;
    if (failure === 'malformed') return void process.stdout.write('[\n  {\n    "Name" : "tp-broken",\n');
    if (failure === 'wrong-shape') return void process.stdout.write(`${JSON.stringify([{ name: 'tp-x', state: 'running' }])}\n`);
    const entries = [];
    if (options.source !== 'oci') {
      for (const name of localNames()) {
        const dir = vmDir(name);
        const current = state(name);
        entries.push({
          Disk: Math.floor(diskBytes(dir) / 1e9),
          Name: name,
          State: current,
          Accessed: accessed(dir),
          Source: 'local',
          Running: current === 'running',
          Size: Math.floor(allocatedGB(dir)),
        });
      }
    }
    if (options.source !== 'local') {
      for (const name of ociNames()) {
        const dir = ociDir(name);
        entries.push({ Name: name, Source: 'OCI', Disk: Math.floor(diskBytes(dir) / 1e9), Size: Math.floor(allocatedGB(dir)), Accessed: accessed(dir), Running: false, State: 'stopped' });
      }
    }
    if (flags.has('quiet')) process.stdout.write(entries.map((entry) => `${entry.Name}\n`).join(''));
    else if (options.format === 'json') process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
    else process.stdout.write(`Source Name Disk Size Accessed State\n${entries.map((e) => `${e.Source} ${e.Name} ${e.Disk} ${e.Size} ${e.Accessed} ${e.State}`).join('\n')}\n`);
  },

  ip(args) {
    const { options, positionals } = parse('ip', args, { options: ['wait', 'resolver'], positionals: [1, 1] });
    const wait = uint('ip', 'wait', options.wait, 65535) ?? 0;
    const resolver = options.resolver ?? 'dhcp';
    if (!['dhcp', 'arp', 'agent'].includes(resolver)) usageError('ip', `The value '${resolver}' is invalid for '--resolver <resolver>'`);
    const name = positionals[0];
    if (!vmExists(name)) runtimeError(doesNotExist(name), 2);
    const until = Date.now() + wait * 1000;
    do {
      // The DHCP resolver matches the lease by MAC and never asks whether the VM runs (stale leases win).
      const lease = leaseFor(readConfig(vmDir(name)).macAddress);
      if (lease) return void process.stdout.write(`${lease.ip}\n`);
      sleep(200);
    } while (Date.now() < until);
    runtimeError(`no IP address found${state(name) === 'running' ? '' : ', is your VM running?'}`);
  },

  run(args) {
    const { flags, options, positionals } = parse('run', args, {
      flags: [
        'no-graphics', 'graphics', 'serial', 'no-audio', 'no-clipboard', 'recovery', 'vnc', 'vnc-experimental',
        'net-softnet', 'net-host', 'suspendable', 'capture-system-keys', 'no-trackpad', 'no-pointer', 'no-keyboard', 'nested',
      ],
      options: ['serial-path', 'rosetta', 'net-softnet-allow', 'net-softnet-block', 'net-softnet-expose', 'root-disk-opts'],
      repeatable: ['disk', 'dir', 'net-bridged'],
      positionals: [1, 1],
    });
    const name = positionals[0];
    const softnet = flags.has('net-softnet') || ['net-softnet-allow', 'net-softnet-block', 'net-softnet-expose'].some((key) => options[key]);
    if ([options['net-bridged']?.length > 0, softnet, flags.has('net-host')].filter(Boolean).length > 1) {
      usageError('run', '--net-bridged, --net-softnet and --net-host are mutually exclusive');
    }
    if (flags.has('graphics') && flags.has('no-graphics')) usageError('run', '--graphics and --no-graphics are mutually exclusive');
    // validate() opens the VM: a missing VM is wrapped by the parser (Error: prefix, exit 1).
    if (!vmExists(name)) exit(1, `Error: ${doesNotExist(name)}`);
    const shares = directoryShares(options.dir ?? []);
    const behaviour = control();
    if (behaviour.fail?.run === 'already-running' || runningPid(name)) runtimeError(`VM "${name}" is already running!`, 2);
    if (softnet && !resolveOnPath('softnet')) exit(1, 'Error: InitializationFailed(why: "softnet not found in PATH")');
    const dir = vmDir(name);
    const config = readConfig(dir);
    writeFileSync(join(dir, '.fake-run.json'), JSON.stringify({ pid: process.pid, argv: args, shares }));
    const release = () => rmSync(join(dir, '.fake-run.json'), { force: true });
    const fail = (message) => {
      release();
      exit(1, message);
    };
    if (behaviour.fail?.run === 'vz-error') {
      fail('Error Domain=VZErrorDomain Code=1 "The virtual machine failed to start." UserInfo={NSLocalizedFailure=Internal Virtualization error.}');
    }
    if (softnet && behaviour.softnet === 'needs-root') {
      fail('root privileges are required to run and passwordless sudo was not available\nRuntimeFailed(why: "Softnet process terminated prematurely")');
    }
    for (const list of [options['net-softnet-allow'], options['net-softnet-block']]) {
      for (const cidr of list ? list.split(',') : []) {
        if (!/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/.test(cidr) && cidr !== '@host') {
          fail(`error: invalid value '${cidr}' for '--allow <comma-separated CIDRs or @-alias>': invalid IP address syntax\nRuntimeFailed(why: "Softnet process terminated prematurely")`);
        }
      }
    }
    setTimeout(() => {
      const all = leases();
      all[config.macAddress] = { ip: addressFor(config.macAddress) };
      writeFileSync(join(HOME, 'fake-leases.json'), JSON.stringify(all));
    }, behaviour.ipDelayMs ?? 300);
    if (behaviour.fail?.run === 'early-exit') {
      setTimeout(() => {
        process.stdout.write('guest has stopped the virtual machine due to error: Error Domain=VZErrorDomain Code=1 "Internal Virtualization error. The virtual machine stopped unexpectedly."\n');
        release();
        process.exit(1);
      }, 1500);
    }
    const keepAlive = setInterval(() => undefined, 60_000);
    process.on('SIGINT', () => {
      process.stdout.write('Stopping VM...\n');
      release();
      process.exit(0);
    });
    process.on('SIGUSR2', () => {
      process.stdout.write('Requesting guest OS to stop...\n');
      if (control().guestIgnoresPowerButton) return;
      setTimeout(() => {
        process.stdout.write('guest has stopped the virtual machine\n');
        clearInterval(keepAlive);
        release();
        process.exit(0);
      }, control().guestShutdownMs ?? 200);
    });
    process.on('SIGUSR1', () => {
      // Linux configurations cannot be saved: Tart's handler prints this and exits, killing the VM.
      process.stdout.write('Failed to suspend the VM: The virtual machine configuration does not support save and restore.\n');
      release();
      process.exit(1);
    });
  },

  stop(args) {
    const { options, positionals } = parse('stop', args, { options: ['timeout'], aliases: { '-t': '--timeout' }, positionals: [1, 1] });
    const timeout = uint('stop', 'timeout', options.timeout, 2 ** 53) ?? 30;
    const name = positionals[0];
    if (!vmExists(name)) runtimeError(doesNotExist(name), 2);
    if (state(name) === 'suspended') return void rmSync(join(vmDir(name), 'state.vzvmsave'));
    const pid = runningPid(name);
    if (!pid) runtimeError(`VM "${name}" is not running`, 2);
    process.kill(pid, 'SIGINT');
    const until = Date.now() + timeout * 1000;
    while (alive(pid) && Date.now() < until) sleep(100);
    if (alive(pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch (error) {
        runtimeError(`failed to forcefully terminate the VM "${name}": ${error.code}`);
      }
    }
  },

  suspend(args) {
    const { positionals } = parse('suspend', args, { positionals: [1, 1] });
    const name = positionals[0];
    if (!vmExists(name)) runtimeError(doesNotExist(name), 2);
    const pid = runningPid(name);
    if (!pid) runtimeError(`VM "VM "${name}" is not running" is not running`, 2);
    process.kill(pid, 'SIGUSR1');
  },

  delete(args) {
    const { positionals } = parse('delete', args, { positionals: [1, Infinity] });
    for (const name of positionals) {
      if (!vmExists(name)) runtimeError(doesNotExist(name), 2);
      if (runningPid(name)) runtimeError(`VM "${name}" is running`);
      rmSync(vmDir(name), { recursive: true, force: true });
    }
  },

  rename(args) {
    const { positionals } = parse('rename', args, { positionals: [2, 2] });
    const [from, to] = positionals;
    if (!vmExists(from)) usageError('rename', `failed to rename a non-existent local VM: ${from}`);
    if (vmExists(to)) usageError('rename', `failed to rename VM ${from}, target VM ${to} already exists, delete it first!`);
    renameSync(vmDir(from), vmDir(to));
  },
};

/** What each virtiofs tag shows at its root inside the guest, as Tart builds the shares from `--dir`. */
function directoryShares(values) {
  const byTag = {};
  for (const raw of values) {
    const parts = raw.split(':');
    let readOnly = false;
    let tag = 'com.apple.virtio-fs.automount';
    let found = false;
    for (const option of parts.at(-1).split(',')) {
      if (option === 'ro') [readOnly, found] = [true, true];
      else if (option.startsWith('tag=')) [tag, found] = [option.slice(4), true];
    }
    if (found) parts.pop();
    const rest = parts.join(':');
    const split = rest.indexOf(':');
    const [name, path] = split >= 0 ? [rest.slice(0, split), rest.slice(split + 1)] : [null, rest];
    const folder = resolve(path.replace(/^~/, homedir()));
    if (!existsSync(folder) || !statSync(folder).isDirectory()) {
      exit(1, `Error: Error Domain=VZErrorDomain Code=2 "A directory sharing device configuration is invalid." UserInfo={NSLocalizedFailure=Invalid virtual machine configuration., NSLocalizedFailureReason=The directory "${folder}" does not exist.}`);
    }
    (byTag[tag] ??= []).push({ name, folder, readOnly });
  }
  const shares = {};
  for (const [tag, list] of Object.entries(byTag)) {
    if (list.length === 1 && list[0].name === null) {
      shares[tag] = { readOnly: list[0].readOnly, root: readdirSync(list[0].folder).sort() };
    } else if (list.some((share) => share.name === null)) {
      usageError('run', 'invalid --dir syntax: for multiple directory shares each one of them should be named');
    } else {
      shares[tag] = { readOnly: list.every((share) => share.readOnly), root: list.map((share) => share.name).sort() };
    }
  }
  return shares;
}

if (argv[0] === '--version') {
  process.stdout.write(`${control().version ?? '2.35.0'}\n`);
} else if (!commands[argv[0]]) {
  usageError(argv[0] ?? '', argv[0] ? `Unexpected argument '${argv[0]}'` : 'Missing subcommand');
} else {
  commands[argv[0]](argv.slice(1));
}
