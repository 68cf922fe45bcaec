// The line above the help: this console's message (a wrong password), else the notice every
// console shows (a failed boot or scan), else the problem count.
import { Box, Text } from 'ink';
import { fit, wrapLines } from './layout.js';
import type { MenuState } from './state.js';

export function statusText(state: MenuState): string {
  const message = state.message ?? state.notice;
  if (message) return message;
  const n = state.scan?.problems.length ?? 0;
  if (n === 0 || state.screen === 'log') return '';
  return `${n} problem${n === 1 ? '' : 's'} - press l`;
}

/** A message may take up to six lines: a refusal's reason and its fix are what the person needs to read. */
export function statusLines(state: MenuState, width: number): string[] {
  const text = statusText(state);
  return text ? wrapLines(text, width, 6) : [''];
}

export function StatusLine({ lines, width }: { lines: string[]; width: number }) {
  return (
    <Box flexDirection="column">
      {lines.map((line, i) => (
        <Text key={i}>{fit(line, width)}</Text>
      ))}
    </Box>
  );
}
