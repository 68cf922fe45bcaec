// Line 1: what this is, and the countdown when one runs.
import { Text } from 'ink';
import { entries, type MenuState } from './state.js';
import { fit, truncate } from './layout.js';

declare const KEXMENU_VERSION: string | undefined;
const version = typeof KEXMENU_VERSION === 'string' ? ` ${KEXMENU_VERSION}` : '';

export function countdownText(state: MenuState): string {
  const a = state.autoboot;
  if (a.state !== 'counting') return state.scanning ? 'scanning...' : '';
  const label = entries(state).find((e) => e.id === a.target)?.label ?? a.target;
  return `Booting "${truncate(label, 30)}" in ${a.remaining} s - any key stops`;
}

export function Header({ state, width }: { state: MenuState; width: number }) {
  const right = countdownText(state);
  const left = `kexmenu${version}`;
  const gap = ' '.repeat(Math.max(2, width - left.length - right.length));
  return <Text bold>{fit(`${left}${gap}${right}`, width)}</Text>;
}
