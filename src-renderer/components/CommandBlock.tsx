import { CopyButton } from './CopyButton.js';

/** An exact command for the user to run, with a Copy button. */
export function CommandBlock({ command, what = 'command' }: { command: string; what?: string }) {
  return (
    <div className="command-block">
      <pre className="mono">
        <code>{command}</code>
      </pre>
      <CopyButton text={command} what={what} />
    </div>
  );
}
