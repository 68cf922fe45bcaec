// The line above the help: a message (a failed boot, a wrong password) or the problem count.
import { Text } from 'ink';
import { fit } from './layout.js';
import type { MenuState } from './state.js';

export function statusText(state: MenuState): string {
  if (state.message) return state.message;
  const n = state.scan?.problems.length ?? 0;
  if (n === 0 || state.screen === 'log') return '';
  return `${n} problem${n === 1 ? '' : 's'} - press l`;
}

export function StatusLine({ state, width }: { state: MenuState; width: number }) {
  return <Text>{fit(statusText(state), width)}</Text>;
}
