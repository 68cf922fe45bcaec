// Everything the menu knows went wrong or ran: the scan's problems, then each command and event.
import { Box, Text } from 'ink';
import type { Problem } from '../model.js';
import { fit, wrapLines } from './layout.js';
import type { MenuState } from './state.js';

export function problemText(p: Problem): string {
  const where = [p.source, p.file && (p.line ? `${p.file}:${p.line}` : p.file)].filter(Boolean).join(' ');
  return where ? `${where}: ${p.message}` : p.message;
}

/** The log as screen lines of `width`: each item wrapped (up to 6 lines), continuation indented. */
export function logLines(state: MenuState, width: number): string[] {
  const problems = state.scan?.problems ?? [];
  const item = (text: string) => wrapLines(text, width - 4, 6).map((l, i) => (i === 0 ? `  ${l}` : `    ${l}`));
  return [
    `Problems (${problems.length}):`,
    ...problems.flatMap((p) => item(problemText(p))),
    `Log (${state.log.length}):`,
    ...state.log.flatMap(item),
  ];
}

export function LogView({ state, width, height }: { state: MenuState; width: number; height: number }) {
  const inner = width - 4;
  const lines = logLines(state, inner);
  const room = height - 2;
  const top = Math.min(state.logScroll, Math.max(0, lines.length - room));
  return (
    <Box flexDirection="column" borderStyle="classic" paddingX={1} width={width} height={height}>
      {lines.slice(top, top + room).map((line, i) => (
        <Text key={i}>{fit(line, inner)}</Text>
      ))}
    </Box>
  );
}
