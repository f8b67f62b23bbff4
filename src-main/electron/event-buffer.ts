/**
 * Holds events for the renderer until it listens (its first subscription), then delivers them in order
 * and everything after at once. A reload starts a new page that has heard nothing: hold again until it
 * listens. Bounded, because a page that never loads must not grow main's memory; the renderer loads a
 * fresh snapshot when it starts, so the oldest events are the ones to lose.
 */
export class EventBuffer<T> {
  private readonly held: T[] = [];
  private listening = false;
  private dropped = 0;

  constructor(
    private readonly deliver: (item: T) => void,
    private readonly limit = 2000,
  ) {}

  push(item: T): void {
    if (this.listening) {
      this.deliver(item);
      return;
    }
    this.held.push(item);
    if (this.held.length > this.limit) {
      this.held.shift();
      this.dropped++;
    }
  }

  /** The page subscribed: deliver what was held. */
  open(): void {
    if (this.listening) return;
    this.listening = true;
    for (const item of this.held.splice(0)) this.deliver(item);
  }

  /** The page is going away (reload, navigation, window closing): hold until the next one listens. */
  close(): void {
    this.listening = false;
  }

  /** How many held events were dropped for the limit (for the log). */
  droppedCount(): number {
    return this.dropped;
  }
}
