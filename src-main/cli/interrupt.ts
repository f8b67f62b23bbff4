/**
 * Ctrl-C while a command waits: the first one runs the command's own clean-up (cancel the operation it
 * started, close a tunnel); a second one exits at once.
 */
import { EXIT } from './exit-codes.js';

export function onInterrupt(handler: () => void): () => void {
  let count = 0;
  const listener = (): void => {
    count += 1;
    if (count === 1) handler();
    else process.exit(EXIT.interrupted);
  };
  process.on('SIGINT', listener);
  process.on('SIGTERM', listener);
  return () => {
    process.off('SIGINT', listener);
    process.off('SIGTERM', listener);
  };
}

/** Resolves on the first Ctrl-C (or SIGTERM). */
export function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => {
    const stop = onInterrupt(() => {
      stop();
      resolve();
    });
  });
}
