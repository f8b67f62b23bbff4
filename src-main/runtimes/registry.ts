/**
 * Which runtimes this host offers and which one new workspaces use. An explicit choice (setting or
 * `--runtime`) always wins; auto-selection picks the best real runtime and never the simulated double.
 */
import { TidepoolError } from '../../src-shared/errors.js';
import type { HostStatus, RuntimeId, RuntimeInfo, Workspace } from '../../src-shared/workspace.js';
import type { Runtime } from './runtime.js';

/** Best first, per platform. */
const AUTO_ORDER: Record<string, RuntimeId[]> = {
  darwin: ['tart', 'incus'],
  linux: ['incus'],
};

export function hostPlatform(platform: string): HostStatus['platform'] {
  return platform === 'darwin' || platform === 'linux' || platform === 'win32' ? platform : 'other';
}

export class RuntimeRegistry {
  private cached: HostStatus | null = null;

  constructor(
    private readonly runtimes: Runtime[],
    private readonly options: { platform: string; preferred: () => RuntimeId | 'auto'; preferredByFlag?: boolean },
  ) {}

  all(): Runtime[] {
    return [...this.runtimes];
  }

  find(id: RuntimeId): Runtime | undefined {
    return this.runtimes.find((runtime) => runtime.id === id);
  }

  get(id: RuntimeId): Runtime {
    const runtime = this.find(id);
    if (!runtime) {
      throw new TidepoolError({
        code: 'RUNTIME_UNAVAILABLE',
        message: `The ${id} runtime is not enabled in this Tidepool.`,
        hint: id === 'simulated' ? 'Start Tidepool with TIDEPOOL_SIMULATED=1 to use the simulated runtime.' : undefined,
      });
    }
    return runtime;
  }

  /** The runtime on the server the workspace lives on (see Runtime.at), whatever server is active now. */
  forWorkspace(workspace: Pick<Workspace, 'runtime' | 'location'>): Runtime {
    return located(this.get(workspace.runtime), workspace);
  }

  findForWorkspace(workspace: Pick<Workspace, 'runtime' | 'location'>): Runtime | undefined {
    const runtime = this.find(workspace.runtime);
    return runtime && located(runtime, workspace);
  }

  async hostStatus(refresh = false): Promise<HostStatus> {
    if (this.cached && !refresh) return this.cached;
    const infos = await Promise.all(this.runtimes.map((runtime) => inspectSafely(runtime)));
    const preferred = this.options.preferred();
    let selected: RuntimeId | null = null;
    let selectedBy: HostStatus['selectedBy'] = 'none';
    if (preferred !== 'auto' && infos.some((info) => info.id === preferred)) {
      selected = preferred;
      selectedBy = this.options.preferredByFlag ? 'flag' : 'setting';
    } else {
      const order = AUTO_ORDER[this.options.platform] ?? [];
      const best = order.find((id) => infos.some((info) => info.id === id && info.available));
      if (best) {
        selected = best;
        selectedBy = 'auto';
      }
    }
    const selectedInfo = infos.find((info) => info.id === selected);
    this.cached = {
      platform: hostPlatform(this.options.platform),
      runtimes: infos,
      selected,
      selectedBy,
      ready: selectedInfo !== undefined && selectedInfo.available && selectedInfo.setup.every((step) => step.ok),
    };
    return this.cached;
  }

  /** The runtime for a new workspace: the explicit choice, else the selected one; must be usable. */
  async choose(explicit?: RuntimeId): Promise<Runtime> {
    const status = await this.hostStatus(true);
    const id = explicit ?? status.selected;
    if (!id) {
      throw new TidepoolError({
        code: 'RUNTIME_UNAVAILABLE',
        message: 'No runtime is set up on this computer yet.',
        hint:
          status.platform === 'darwin'
            ? 'Install Tart with `brew install openai/tools/tart`, then check again.'
            : 'Set up Incus with `sudo scripts/setup-incus.sh`, then check again.',
      });
    }
    const runtime = this.get(id);
    const info = status.runtimes.find((candidate) => candidate.id === id);
    if (!info?.available) {
      const missing = info?.setup.find((step) => !step.ok);
      throw new TidepoolError({
        code: 'RUNTIME_UNAVAILABLE',
        message: `${runtime.displayName} is not available.`,
        hint: missing ? [missing.detail, missing.command].filter(Boolean).join(' ') : undefined,
      });
    }
    const notSetUp = info.setup.find((step) => !step.ok);
    if (notSetUp) {
      throw new TidepoolError({
        code: 'RUNTIME_NOT_SET_UP',
        message: `${runtime.displayName} is not fully set up: ${notSetUp.title}.`,
        hint: [notSetUp.detail, notSetUp.command].filter(Boolean).join(' '),
      });
    }
    return runtime;
  }
}

function located(runtime: Runtime, workspace: Pick<Workspace, 'location'>): Runtime {
  return runtime.at ? runtime.at(workspace.location ?? null) : runtime;
}

async function inspectSafely(runtime: Runtime): Promise<RuntimeInfo> {
  try {
    return await runtime.inspect();
  } catch (error) {
    return {
      id: runtime.id,
      displayName: runtime.displayName,
      available: false,
      simulated: runtime.id === 'simulated',
      version: null,
      capabilities: null,
      setup: [
        {
          id: 'inspect',
          title: `Check ${runtime.displayName}`,
          ok: false,
          detail: error instanceof Error ? error.message : String(error),
        },
      ],
      warnings: [],
    };
  }
}
