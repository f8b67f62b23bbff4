import { act, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { TidepoolError } from '../../../src-shared/errors.js';
import { createFakeApi } from '../../testing/fake-api.js';
import { incusRuntime, makeProgress, makeWorkspace, readyHost, simulatedRuntime } from '../../testing/fixtures.js';
import { renderApp } from '../../testing/render-app.js';
import { SIMULATED_LABEL } from '../../components/SimulatedBadge.js';

const NAME_RULE = 'Use 1–63 lower-case letters, digits or hyphens, starting and ending with a letter or digit.';

async function openDialog(api = createFakeApi()) {
  const app = await renderApp(api);
  await app.user.click(newWorkspaceButton());
  const dialog = await screen.findByRole('dialog', { name: 'New workspace' });
  return { ...app, dialog };
}

function newWorkspaceButton(): HTMLElement {
  return within(screen.getByRole('navigation', { name: 'Workspaces' })).getByRole('button', { name: 'New workspace' });
}

function createButton(dialog: HTMLElement): HTMLButtonElement {
  return within(dialog).getByRole('button', { name: 'Create' });
}

describe('create dialog', () => {
  it('validates the name as you type, with the exact message, and enables Create only when valid', async () => {
    const { user, dialog } = await openDialog();
    const name = within(dialog).getByRole('textbox', { name: 'Name' });
    expect(document.activeElement).toBe(name);
    expect(createButton(dialog).disabled).toBe(true);

    await user.type(name, 'My_App');
    expect(within(dialog).getByText(NAME_RULE)).toBeTruthy();
    expect(name.getAttribute('aria-invalid')).toBe('true');
    expect(createButton(dialog).disabled).toBe(true);

    await user.clear(name);
    expect(within(dialog).getByText('A name is required.')).toBeTruthy();

    await user.type(name, 'my-app');
    expect(within(dialog).queryByText(NAME_RULE)).toBeNull();
    expect(name.getAttribute('aria-invalid')).toBeNull();
    expect(createButton(dialog).disabled).toBe(false);

    await user.type(name, '-');
    expect(within(dialog).getByText(NAME_RULE)).toBeTruthy();
    expect(createButton(dialog).disabled).toBe(true);
  });

  it('says so when a workspace already has the name', async () => {
    const { user, dialog } = await openDialog(createFakeApi({ workspaces: [makeWorkspace({ name: 'taken' })] }));
    await user.type(within(dialog).getByRole('textbox', { name: 'Name' }), 'taken');
    expect(within(dialog).getByText('A workspace named “taken” already exists.')).toBeTruthy();
    expect(createButton(dialog).disabled).toBe(true);
  });

  it('shows the server’s ALREADY_EXISTS on the name field and keeps the form', async () => {
    const api = createFakeApi();
    api.handle('createWorkspace', () => {
      throw new TidepoolError({
        code: 'ALREADY_EXISTS',
        message: 'A workspace named “race” already exists.',
        fields: { name: 'This name is taken.' },
      });
    });
    const { user, dialog } = await openDialog(api);
    const name = within(dialog).getByRole('textbox', { name: 'Name' });
    await user.type(name, 'race');
    await user.click(createButton(dialog));

    const message = await within(dialog).findByText('This name is taken.');
    expect(name.getAttribute('aria-describedby')).toContain(message.id);
    expect(screen.getByRole('dialog', { name: 'New workspace' })).toBeTruthy();

    await user.type(name, '2');
    expect(within(dialog).queryByText('This name is taken.')).toBeNull();
    expect(createButton(dialog).disabled).toBe(false);
  });

  it('puts other server field errors on their fields', async () => {
    const api = createFakeApi();
    api.handle('createWorkspace', () => {
      throw new TidepoolError({ code: 'INVALID_INPUT', message: 'resources.cpus: too many', fields: { 'resources.cpus': 'CPUs can be at most 8 on this computer.' } });
    });
    const { user, dialog } = await openDialog(api);
    await user.type(within(dialog).getByRole('textbox', { name: 'Name' }), 'app');
    await user.click(createButton(dialog));
    const cpus = within(dialog).getByRole('spinbutton', { name: 'CPUs' });
    const message = await within(dialog).findByText('CPUs can be at most 8 on this computer.');
    expect(cpus.getAttribute('aria-describedby')).toContain(message.id);
  });

  it('starts from the default resources and checks them against the limits', async () => {
    const { user, dialog } = await openDialog();
    const cpus = within(dialog).getByRole('spinbutton', { name: 'CPUs' }) as HTMLInputElement;
    const memory = within(dialog).getByRole('spinbutton', { name: 'Memory (GB)' }) as HTMLInputElement;
    expect(cpus.value).toBe('2');
    expect(memory.value).toBe('4');
    await user.type(within(dialog).getByRole('textbox', { name: 'Name' }), 'app');
    await user.clear(cpus);
    await user.type(cpus, '100');
    expect(within(dialog).getByText('CPUs can be at most 64.')).toBeTruthy();
    expect(createButton(dialog).disabled).toBe(true);
  });

  it('offers only the kinds the runtime can run, saying why not', async () => {
    const { dialog } = await openDialog();
    const vm = within(dialog).getByRole('radio', { name: 'Virtual machine' }) as HTMLInputElement;
    const container = within(dialog).getByRole('radio', { name: 'Container' }) as HTMLInputElement;
    expect(vm.disabled).toBe(true);
    expect(container.checked).toBe(true);
    expect(within(dialog).getByText('This computer cannot run Incus virtual machines (no vhost_vsock).')).toBeTruthy();
  });

  it('is isolated by default and validates an allow-list of CIDRs', async () => {
    const { user, dialog } = await openDialog();
    expect((within(dialog).getByRole('radio', { name: 'Isolated (recommended)' }) as HTMLInputElement).checked).toBe(true);
    await user.type(within(dialog).getByRole('textbox', { name: 'Name' }), 'app');
    await user.click(within(dialog).getByRole('radio', { name: 'Isolated, plus networks I allow' }));
    const allow = within(dialog).getByRole('textbox', { name: 'Allowed networks' });
    await user.type(allow, '10.0.0/8');
    expect(within(dialog).getByText('“10.0.0/8”: Use CIDR notation, like 192.168.1.0/24.')).toBeTruthy();
    expect(createButton(dialog).disabled).toBe(true);
    await user.clear(allow);
    await user.type(allow, '192.168.1.0/24');
    expect(createButton(dialog).disabled).toBe(false);
  });

  it('sends what the user chose, with SSH agent forwarding off by default', async () => {
    const { api, user, dialog } = await openDialog();
    await user.type(within(dialog).getByRole('textbox', { name: 'Name' }), 'my-app');
    await user.type(within(dialog).getByRole('textbox', { name: 'Git repository (optional)' }), 'https://github.com/me/app.git');
    await user.click(createButton(dialog));
    await screen.findByRole('dialog', { name: 'Creating “my-app”' });
    expect(api.callsTo('createWorkspace')).toEqual([
      {
        name: 'my-app',
        runtime: 'incus',
        kind: 'container',
        resources: { cpus: 2, memoryMiB: 4096, diskGiB: 20 },
        network: { mode: 'isolated' },
        repoUrl: 'https://github.com/me/app.git',
        sshAgentForwarding: false,
        open: true,
      },
    ]);
  });

  it('labels the simulated runtime in the picker', async () => {
    const { dialog } = await openDialog(createFakeApi({ host: readyHost({ runtimes: [incusRuntime(), simulatedRuntime()] }) }));
    const runtimes = within(dialog).getByRole('group', { name: 'Runtime' });
    expect(within(runtimes).getByText(SIMULATED_LABEL)).toBeTruthy();
    expect((within(runtimes).getByRole('radio', { name: /Incus/ }) as HTMLInputElement).checked).toBe(true);
  });

  it('closes on Escape and gives focus back', async () => {
    const { user } = await renderApp(createFakeApi());
    const opener = newWorkspaceButton();
    await user.click(opener);
    await screen.findByRole('dialog');
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(opener);
  });

  it('keeps Tab inside the dialog', async () => {
    const { user, dialog } = await openDialog();
    for (let i = 0; i < 40; i += 1) {
      await user.tab();
      expect(dialog.contains(document.activeElement)).toBe(true);
    }
  });
});

describe('creation progress', () => {
  async function submit(api = createFakeApi()) {
    const app = await openDialog(api);
    await app.user.type(within(app.dialog).getByRole('textbox', { name: 'Name' }), 'my-app');
    await app.user.click(createButton(app.dialog));
    const progress = await screen.findByRole('dialog', { name: 'Creating “my-app”' });
    const workspace = api.state.workspaces.find((candidate) => candidate.name === 'my-app')!;
    return { ...app, progress, workspace };
  }

  it('names each step with its time and the total', async () => {
    const { api, progress, workspace } = await submit();
    act(() => api.emit('progress', makeProgress(workspace.id, { step: 'provision', stepStartedAt: '2026-11-20T10:00:00.000Z' })));
    act(() => api.emit('progress', makeProgress(workspace.id, { step: 'boot', stepStartedAt: '2026-11-20T10:00:04.200Z' })));

    const steps = within(progress).getAllByRole('listitem');
    expect(steps.map((step) => step.querySelector('.step-label')?.firstChild?.textContent)).toEqual([
      'Cloning image',
      'Booting',
      'Waiting for network',
      'Connecting over SSH',
      'Configuring',
      'Starting IDE',
    ]);
    expect(steps[0]!.textContent).toContain('(done)');
    expect(steps[0]!.textContent).toContain('4.2 s');
    expect(steps[1]!.getAttribute('aria-current')).toBe('step');
    expect(steps[2]!.textContent).not.toMatch(/\d s/);
    expect(within(progress).getByLabelText(/^Total time/)).toBeTruthy();
  });

  it('cancels the creation on request', async () => {
    const { api, user, progress, workspace } = await submit();
    act(() => api.emit('progress', makeProgress(workspace.id, { step: 'boot' })));
    await user.click(within(progress).getByRole('button', { name: 'Cancel creation' }));
    expect(api.callsTo('cancelOperation')).toEqual([{ id: workspace.id }]);

    act(() => api.emit('workspaceRemoved', { id: workspace.id }));
    expect(await within(progress).findByText('Creation was cancelled and everything it had made was removed.')).toBeTruthy();
  });

  it('opens the IDE tab when the workspace is ready', async () => {
    const { api, workspace } = await submit();
    act(() => api.emit('progress', makeProgress(workspace.id, { step: 'ide' })));
    act(() => {
      api.change(workspace.id, { state: 'ready', idePort: 41234 });
      api.emit('progress', makeProgress(workspace.id, { step: 'ide', done: true }));
    });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(screen.getByRole('tab', { name: 'my-app', selected: true })).toBeTruthy();
    const frame = await screen.findByTitle('IDE for my-app');
    expect(frame.getAttribute('src')).toBe('http://127.0.0.1:41234/');
  });

  it('shows the cause of a failure and leaves the workspace in the list', async () => {
    const { api, user, progress, workspace } = await submit();
    act(() => {
      api.emit('progress', makeProgress(workspace.id, { step: 'boot', done: true, failed: true }));
      api.change(workspace.id, {
        state: 'error',
        lastError: {
          code: 'RUNTIME_ERROR',
          message: 'Incus could not start “my-app”.',
          hint: 'Check that the tidepoolbr0 network exists, then start it again.',
          detail: 'Failed to start device "eth0": Network "tidepoolbr0" not found',
          step: 'boot',
          at: '2026-11-20T10:00:05.000Z',
        },
      });
    });
    expect(within(progress).getByText('Incus could not start “my-app”.')).toBeTruthy();
    expect(within(progress).getByText('Check that the tidepoolbr0 network exists, then start it again.')).toBeTruthy();
    expect(within(progress).getByText('Failed to start device "eth0": Network "tidepoolbr0" not found')).toBeTruthy();
    expect(within(progress).getByText(/\(failed\)/)).toBeTruthy();
    expect(screen.getByRole('dialog', { name: 'Could not create “my-app”' })).toBe(progress);

    await user.click(within(progress).getByRole('button', { name: 'Show workspace' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(screen.getByRole('heading', { name: 'my-app', level: 2 })).toBeTruthy();
    expect(within(screen.getByRole('list', { name: 'Workspaces' })).getByText('Error')).toBeTruthy();
  });
});
