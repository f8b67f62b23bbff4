/** How a command's action runs: with a context, its errors turned into an exit code and a message. */
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';

/** Runs an action for a parsed command; the action may return an exit code (default 0). */
export type Run = (command: Command, action: (ctx: CommandContext) => Promise<number | void>) => Promise<void>;
