/** jsdom lacks a few browser APIs the UI uses; these stand-ins are just enough for component tests. */
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

declare global {
  // Tells React that test code wraps updates in act().
  var IS_REACT_ACT_ENVIRONMENT: boolean;
}
globalThis.IS_REACT_ACT_ENVIRONMENT = true;

if (typeof window.matchMedia !== 'function') {
  window.matchMedia = (query: string): MediaQueryList =>
    ({
      matches: false,
      media: query,
      onchange: null,
      addEventListener: () => undefined,
      removeEventListener: () => undefined,
      addListener: () => undefined,
      removeListener: () => undefined,
      dispatchEvent: () => false,
    }) as MediaQueryList;
}

/** Records observed elements so a test can report a size change by calling `trigger()`. */
class TestResizeObserver implements ResizeObserver {
  static readonly instances = new Set<TestResizeObserver>();
  private readonly elements = new Set<Element>();
  constructor(private readonly callback: ResizeObserverCallback) {}
  observe(element: Element): void {
    this.elements.add(element);
    TestResizeObserver.instances.add(this);
  }
  unobserve(element: Element): void {
    this.elements.delete(element);
  }
  disconnect(): void {
    this.elements.clear();
    TestResizeObserver.instances.delete(this);
  }
  trigger(): void {
    this.callback([], this);
  }
}

if (typeof window.ResizeObserver !== 'function') {
  window.ResizeObserver = TestResizeObserver;
}

export function triggerResizeObservers(): void {
  for (const observer of [...TestResizeObserver.instances]) observer.trigger();
}

afterEach(() => {
  cleanup();
  delete document.documentElement.dataset.theme;
});
