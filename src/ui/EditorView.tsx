// The editor: the command line with a caret under the cursor (visible on every terminal, even
// without styling), the initrd, DTB and overlay choices, and the plan that Enter would carry out.
import { Box, Text } from 'ink';
import { describeSteps, overlayName } from '../boot/device-tree-build.js';
import { shellQuote } from '../boot/shell-quote.js';
import type { BootEdits, BootEntry, BootPlan, DeviceTreeReport } from '../model.js';
import { editsOf, type EditorState, type Field } from './editor-state.js';
import { fit, truncate } from './layout.js';
import { visibleLine } from './line-edit.js';
import { forTerminal } from '../text/terminal.js';

interface Props {
  editor: EditorState;
  entry: BootEntry | null;
  plan: (entry: BootEntry, edits: BootEdits | null) => BootPlan;
  /** The entry's source root: paths under it are shown from the partition's own `/`. */
  sourceRoot: string | null;
  width: number;
  height: number;
}

export function onDisk(file: string, root: string | null): string {
  return root && root !== '/' && file.startsWith(`${root}/`) ? file.slice(root.length) : file;
}

/** The initrd files, after those a unified kernel image carries inside it. */
function initrdLine(entry: BootEntry, initrd: string[], root: string | null): string {
  const inside = entry.inside && entry.inside.initrds.length > 0 ? [`${entry.inside.initrds.length} inside the image`] : [];
  return [...inside, ...initrd.map((f) => onDisk(f, root))].join(' + ') || 'none';
}

/** "vc4-kms-v3d (applied), disable-bt (failed: ...)", or why there are none. */
function overlaysLine(entry: BootEntry, on: boolean, report: DeviceTreeReport | null): string {
  if (entry.overlays.length === 0 && entry.dtparams.length === 0) return 'none';
  if (!on) return `off: the tree without the entry's ${entry.overlays.length} overlay(s) and dtparams`;
  if (!report) return entry.overlays.map((o) => overlayName(o.path)).join(', ');
  return describeSteps(report).join(', ');
}

export function EditorView({ editor, entry, plan, sourceRoot, width, height }: Props) {
  const inner = width - 4;
  if (!entry) return <Box height={height} />;
  const result = plan(entry, editsOf(editor, entry));
  const shown = visibleLine(editor.line, inner - 2);
  const mark = (field: Field) => (editor.field === field ? '>' : ' ');
  const initrd = editor.initrds[editor.initrdIndex] ?? [];
  const dtb = editor.dtbs[editor.dtbIndex];
  const command = [result.load, result.exec].filter((a) => a.length > 0).map((argv) => shellQuote(argv));
  const notes = [
    result.dtb ? `DTB: ${result.dtb.path} (${result.dtb.reason})` : null,
    ...result.warnings.map((w) => `warning: ${w}`),
    result.ok ? null : `refused: ${result.refusal ?? ''}`,
  ].filter((n): n is string => n !== null);
  return (
    <Box flexDirection="column" borderStyle="classic" paddingX={1} width={width} height={height}>
      <Text bold>{fit(`Edit: ${entry.label}`, inner)}</Text>
      <Text>{fit(`${mark('cmdline')} Command line:`, inner)}</Text>
      <Text>{fit(`  ${shown.text}`, inner)}</Text>
      <Text>{fit(editor.field === 'cmdline' ? `  ${' '.repeat(shown.cursor)}^` : '', inner)}</Text>
      <Text>{fit(`${mark('initrd')} Initrd ${editor.initrdIndex + 1}/${editor.initrds.length}: ${initrdLine(entry, initrd, sourceRoot)}`, inner)}</Text>
      <Text>{fit(`${mark('dtb')} DTB ${editor.dtbIndex + 1}/${editor.dtbs.length}:    ${dtb ? onDisk(dtb, sourceRoot) : 'chosen by the boot rules'}`, inner)}</Text>
      <Text>{fit(`${mark('overlays')} Overlays:   ${overlaysLine(entry, editor.overlays, result.deviceTree)}`, inner)}</Text>
      <Text>{fit('Enter will run:', inner)}</Text>
      <Box flexDirection="column" height={Math.max(1, height - 11 - notes.length)} overflow="hidden">
        {command.map((line, i) => (
          <Text key={i} wrap="wrap">{`  ${forTerminal(line)}`}</Text>
        ))}
      </Box>
      {notes.map((note, i) => (
        <Text key={`n${i}`}>{truncate(note, inner)}</Text>
      ))}
    </Box>
  );
}
