import { describe, expect, it } from 'vitest';
import { TidepoolError } from '../../../src-shared/errors.js';
import { parseTartGet, parseTartList } from './tart-json.js';

// Shapes as Tart prints them: pretty-printed by JSONEncoder (`"key" : value`), keys in no fixed order.
const LIST_2_35 = `[
  {
    "Running" : true,
    "Size" : 3,
    "Name" : "tp-web",
    "Accessed" : "2026-03-20T17:55:52Z",
    "State" : "running",
    "Source" : "local",
    "Disk" : 22
  },
  {
    "Source" : "OCI",
    "State" : "stopped",
    "Disk" : 20,
    "Name" : "ghcr.io/cirruslabs/debian:trixie",
    "Running" : false,
    "Accessed" : "2026-03-19T08:00:00Z",
    "Size" : 2
  }
]`;

describe('tart list --format json', () => {
  it('reads the 2.31+ keys', () => {
    expect(parseTartList(LIST_2_35)).toEqual([
      { Running: true, Size: 3, Name: 'tp-web', Accessed: '2026-03-20T17:55:52Z', State: 'running', Source: 'local', Disk: 22 },
      expect.objectContaining({ Source: 'OCI', Name: 'ghcr.io/cirruslabs/debian:trixie' }),
    ]);
  });

  it('reads 2.30 output (SizeOnDisk, no Accessed)', () => {
    const entries = parseTartList('[{"Source":"local","Name":"a","Disk":20,"Size":1,"SizeOnDisk":1,"Running":false,"State":"stopped"}]');
    expect(entries).toEqual([{ Source: 'local', Name: 'a', Disk: 20, Size: 1, Running: false, State: 'stopped' }]);
  });

  it('reads an empty list', () => {
    expect(parseTartList('[]\n')).toEqual([]);
  });

  it('refuses broken or misshapen output with a typed error', () => {
    for (const output of ['[{"Name": "a"', '{"Name":"a"}', '[{"name":"a","state":"running"}]', '[{"Source":"local","Name":"a","Disk":"20","Size":1,"Running":false,"State":"stopped"}]', '']) {
      const error = (() => {
        try {
          parseTartList(output);
          return null;
        } catch (caught) {
          return caught;
        }
      })();
      expect(error).toBeInstanceOf(TidepoolError);
      expect(error).toMatchObject({ code: 'RUNTIME_ERROR', message: 'Tart answered `tart list --format json` with output Tidepool cannot read.' });
    }
  });
});

describe('tart get --format json', () => {
  it('reads Size as a string and Memory in MiB', () => {
    const info = parseTartGet(`{
  "DiskFormat" : "raw",
  "Display" : "1024x768",
  "State" : "stopped",
  "Size" : "3.142",
  "CPU" : 4,
  "Running" : false,
  "Memory" : 4096,
  "OS" : "linux",
  "Disk" : 20
}`);
    expect(info).toEqual({ DiskFormat: 'raw', Display: '1024x768', State: 'stopped', Size: '3.142', CPU: 4, Running: false, Memory: 4096, OS: 'linux', Disk: 20 });
  });

  it('refuses a numeric Size (that is list output, not get)', () => {
    expect(() => parseTartGet('{"OS":"linux","CPU":4,"Memory":4096,"Disk":20,"Size":3,"Display":"1024x768","Running":false,"State":"stopped"}')).toThrow(
      'tart get --format json',
    );
  });
});
