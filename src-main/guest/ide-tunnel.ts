/**
 * The IDE tunnel: code-server listens on 127.0.0.1 inside the guest only; this computer reaches it on a
 * 127.0.0.1 port forwarded over SSH. The port stays the same per workspace where it can, because it is
 * the IDE's origin, and the editor keeps its browser storage (open tabs, layout) per origin.
 */
import type { GuestConnection } from './connection-manager.js';
import { LocalForward } from './local-forward.js';

export async function openIdeTunnel(
  connection: GuestConnection,
  guestPort: number,
  preferredPort: number | null,
  log: (line: string, level?: 'info' | 'warn') => void,
): Promise<LocalForward> {
  const options = { connection, guestHost: '127.0.0.1', guestPort };
  if (preferredPort) {
    try {
      return await LocalForward.listen({ ...options, hostPort: preferredPort });
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? String(error);
      log(`IDE port ${preferredPort} is taken on this computer (${reason}); using a new one, so the IDE starts with fresh editor state`, 'warn');
    }
  }
  return LocalForward.listen({ ...options, hostPort: 0 });
}
