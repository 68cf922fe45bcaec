// The entry list in an ASCII box: a heading per disk, one line per entry, `>` on the selection.
import { Box, Text } from 'ink';
import { buildRows, fit, listLabel, visibleRows } from './layout.js';
import type { MenuState } from './state.js';

export function MainView({ state, width, height }: { state: MenuState; width: number; height: number }) {
  const inner = width - 4;
  const lines = height - 2;
  const rows = state.scan ? buildRows(state.scan) : [];
  const shown = visibleRows(rows, state.selected, lines);
  return (
    <Box flexDirection="column" borderStyle="classic" paddingX={1} width={width} height={height}>
      {rows.length === 0 && <Text>{fit(state.scanning ? 'Looking for kernels...' : 'No bootable kernels found. r rescans, l shows why.', inner)}</Text>}
      {shown.map((row, i) => {
        if (row.kind === 'source') return <Text key={`s${i}`} bold>{fit(row.text, inner)}</Text>;
        const selected = row.entry.id === state.selected;
        const tag = row.entry.default ? '  (default)' : row.entry.kind === 'other' ? `  [${row.entry.source}]` : '';
        const number = row.number <= 9 ? `${row.number}.` : '  ';
        const label = fit(`${selected ? '>' : ' '} ${number} ${listLabel(row.entry.label)}`, inner - tag.length) + tag;
        return (
          <Text key={row.entry.id} inverse={selected}>
            {label}
          </Text>
        );
      })}
    </Box>
  );
}
