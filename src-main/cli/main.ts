/** Entry of the `tidepool` command (bundled to dist/cli.mjs; bin/tidepool.js runs it). */
import { runCli } from './program.js';

const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env });
// Let piped output drain before exiting (writes to pipes are asynchronous on macOS).
await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
await new Promise<void>((resolve) => process.stderr.write('', () => resolve()));
process.exit(code);
