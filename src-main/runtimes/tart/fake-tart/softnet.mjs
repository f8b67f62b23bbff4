#!/usr/bin/env node
// TEST DOUBLE of Softnet, so that the fake `tart run --net-softnet` and Tidepool's set-up check find a
// `softnet` on PATH. It filters nothing; it answers `--help` like the real one and refuses to run.
if (process.argv.includes('--help')) {
  process.stdout.write('Usage: softnet [OPTIONS] --vm-fd <VM_FD> --vm-mac-address <VM_MAC_ADDRESS>\n');
} else {
  process.stderr.write('this is the fake softnet of the Tidepool tests; it does not run\n');
  process.exit(1);
}
