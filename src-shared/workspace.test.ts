import { describe, expect, it } from 'vitest';
import { canTransition, WORKSPACE_STATES, WORKSPACE_TRANSITIONS, type WorkspaceState } from './workspace.js';

const legal: [WorkspaceState, WorkspaceState][] = [
  ['creating', 'starting'],
  ['creating', 'error'],
  ['creating', 'deleting'],
  ['starting', 'configuring'],
  ['starting', 'stopping'],
  ['starting', 'stopped'],
  ['starting', 'error'],
  ['configuring', 'ready'],
  ['configuring', 'stopping'],
  ['configuring', 'stopped'],
  ['configuring', 'error'],
  ['ready', 'configuring'],
  ['ready', 'stopping'],
  ['ready', 'stopped'],
  ['ready', 'error'],
  ['stopping', 'stopped'],
  ['stopping', 'error'],
  ['stopped', 'starting'],
  ['stopped', 'deleting'],
  ['stopped', 'error'],
  ['deleting', 'error'],
  ['error', 'starting'],
  ['error', 'stopping'],
  ['error', 'stopped'],
  ['error', 'deleting'],
];

describe('workspace state transitions', () => {
  const isLegal = (from: WorkspaceState, to: WorkspaceState) => legal.some(([a, b]) => a === from && b === to);

  for (const from of WORKSPACE_STATES) {
    for (const to of WORKSPACE_STATES) {
      const expected = isLegal(from, to);
      it(`${from} → ${to} is ${expected ? 'allowed' : 'refused'}`, () => {
        expect(canTransition(from, to)).toBe(expected);
      });
    }
  }

  it('never allows a state to skip straight from stopped to ready', () => {
    expect(WORKSPACE_TRANSITIONS.stopped).not.toContain('ready');
  });

  it('only reaches ready through configuring', () => {
    const into = WORKSPACE_STATES.filter((from) => canTransition(from, 'ready'));
    expect(into).toEqual(['configuring']);
  });
});
