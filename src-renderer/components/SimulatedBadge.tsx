export const SIMULATED_LABEL = 'Simulated — not a real workspace';

/** Shown wherever the simulated runtime appears, so nobody mistakes it for an isolated workspace. */
export function SimulatedBadge() {
  return <span className="badge badge-amber">{SIMULATED_LABEL}</span>;
}
