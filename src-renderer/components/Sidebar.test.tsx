import { act, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SIMULATED_LABEL } from './SimulatedBadge.js';
import { createFakeApi } from '../testing/fake-api.js';
import { makeWorkspace, readyHost, incusRuntime, simulatedRuntime } from '../testing/fixtures.js';
import { renderApp } from '../testing/render-app.js';

function row(name: string): HTMLElement {
  const list = screen.getByRole('list', { name: 'Workspaces' });
  const button = within(list)
    .getAllByRole('button')
    .find((candidate) => candidate.querySelector('.workspace-name')?.textContent === name);
  if (!button) throw new Error(`No sidebar row for ${name}`);
  return button;
}

describe('workspace list', () => {
  afterEach(() => vi.useRealTimers());

  it('shows each workspace with its state, runtime, image and resources', async () => {
    const api = createFakeApi({ workspaces: [makeWorkspace({ name: 'api-server', state: 'stopped' })] });
    await renderApp(api);
    const entry = row('api-server');
    expect(entry.textContent).toContain('Stopped');
    expect(entry.textContent).toContain('Incus · Container · tidepool/0.1.0');
    expect(entry.textContent).toContain('2 CPUs · 4 GB RAM · 20 GB disk');
  });

  it('follows pushed events and never polls the list', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const workspace = makeWorkspace({ name: 'api-server', state: 'stopped' });
    const api = createFakeApi({ workspaces: [workspace] });
    await renderApp(api);

    act(() => api.emit('workspaceChanged', { ...workspace, state: 'starting' }));
    expect(row('api-server').textContent).toContain('Starting');

    act(() => api.emit('workspaceChanged', { ...workspace, state: 'ready' }));
    expect(row('api-server').textContent).toContain('Running');

    const added = makeWorkspace({ name: 'frontend', createdAt: '2026-11-21T10:00:00.000Z' });
    act(() => api.emit('workspaceChanged', added));
    expect(row('frontend').textContent).toContain('Stopped');

    act(() => api.emit('workspaceRemoved', { id: workspace.id }));
    expect(() => row('api-server')).toThrow();

    await act(async () => {
      await vi.advanceTimersByTimeAsync(60_000);
    });
    expect(api.callsTo('listWorkspaces')).toHaveLength(1);
  });

  it('shows live CPU and memory of a running workspace, polling stats only while it runs', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const workspace = makeWorkspace({ name: 'api-server', state: 'ready' });
    const api = createFakeApi({ workspaces: [workspace] });
    api.state.stats[workspace.id] = { cpuPercent: 37.4, memoryBytes: 1.5 * 1024 ** 3, diskBytes: null };
    await renderApp(api);

    expect(await within(row('api-server')).findByText('CPU 37%')).toBeTruthy();
    expect(within(row('api-server')).getByText('Memory 1.5 GB')).toBeTruthy();

    await act(async () => {
      await vi.advanceTimersByTimeAsync(10_000);
    });
    const whileRunning = api.callsTo('getWorkspaceStats').length;
    expect(whileRunning).toBeGreaterThanOrEqual(3);

    act(() => api.emit('workspaceChanged', { ...workspace, state: 'stopped' }));
    await act(async () => {
      await vi.advanceTimersByTimeAsync(30_000);
    });
    expect(api.callsTo('getWorkspaceStats')).toHaveLength(whileRunning);
    expect(within(row('api-server')).queryByText('CPU 37%')).toBeNull();
  });

  it('labels workspaces on the simulated runtime as not real', async () => {
    const api = createFakeApi({
      host: readyHost({ runtimes: [incusRuntime(), simulatedRuntime()] }),
      workspaces: [makeWorkspace({ name: 'demo', runtime: 'simulated' }), makeWorkspace({ name: 'real', runtime: 'incus' })],
    });
    await renderApp(api);
    expect(row('demo').textContent).toContain(SIMULATED_LABEL);
    expect(row('real').textContent).not.toContain('Simulated');
  });
});
