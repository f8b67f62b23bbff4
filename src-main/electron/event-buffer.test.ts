import { describe, expect, it } from 'vitest';
import { EventBuffer } from './event-buffer.js';

describe('events for the renderer', () => {
  it('are held until the page listens, then delivered in order, then passed straight through', () => {
    const delivered: number[] = [];
    const buffer = new EventBuffer<number>((item) => delivered.push(item));
    buffer.push(1);
    buffer.push(2);
    expect(delivered).toEqual([]);
    buffer.open();
    expect(delivered).toEqual([1, 2]);
    buffer.push(3);
    expect(delivered).toEqual([1, 2, 3]);
  });

  it('are held again after a reload until the new page listens, and not delivered twice', () => {
    const delivered: string[] = [];
    const buffer = new EventBuffer<string>((item) => delivered.push(item));
    buffer.open();
    buffer.push('before');
    buffer.close();
    buffer.push('during reload');
    expect(delivered).toEqual(['before']);
    buffer.open();
    buffer.open();
    expect(delivered).toEqual(['before', 'during reload']);
  });

  it('keep only the newest events while nobody listens', () => {
    const delivered: number[] = [];
    const buffer = new EventBuffer<number>((item) => delivered.push(item), 3);
    for (let i = 1; i <= 5; i++) buffer.push(i);
    buffer.open();
    expect(delivered).toEqual([3, 4, 5]);
    expect(buffer.droppedCount()).toBe(2);
  });
});
