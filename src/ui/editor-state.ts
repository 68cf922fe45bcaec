// The editor's pure state: the command line being edited, which initrd list and DTB are chosen
// among those found on the entry's disk, and whether the entry's device tree overlays go in. Tab
// moves between the fields; on the others Left/Right cycle the choices.
import type { BootEdits, BootEntry, ScanResult } from '../model.js';
import type { Key } from './keys.js';
import { editLine, lineOf, type LineState } from './line-edit.js';

export type Field = 'cmdline' | 'initrd' | 'dtb' | 'overlays';
const FIELDS: Field[] = ['cmdline', 'initrd', 'dtb', 'overlays'];

export interface EditorState {
  entryId: string;
  line: LineState;
  field: Field;
  /** Initrd lists to choose from; [0] is the entry's own, [] means none. */
  initrds: string[][];
  initrdIndex: number;
  /** DTBs to choose from; [0] is the entry's own; null lets the boot rules decide. */
  dtbs: (string | null)[];
  dtbIndex: number;
  /** The entry's overlays and dtparams are applied (the default); false boots the tree without them. */
  overlays: boolean;
}

export interface EditChoices {
  initrds: string[][];
  dtbs: (string | null)[];
}

/** The initrds and DTBs named by any entry on the same disk, the entry's own first. */
export function editChoices(entry: BootEntry, scan: ScanResult): EditChoices {
  const siblings = scan.entries.filter((e) => e.source === entry.source);
  const initrds: string[][] = [entry.initrd];
  const seen = new Set([entry.initrd.join('\n')]);
  for (const list of [...siblings.flatMap((e) => e.initrd.map((p) => [p])), []]) {
    const k = list.join('\n');
    if (!seen.has(k)) {
      seen.add(k);
      initrds.push(list);
    }
  }
  const dtbs: (string | null)[] = [entry.dtb];
  for (const d of [...siblings.map((e) => e.dtb), 'firmware', null]) if (!dtbs.includes(d)) dtbs.push(d);
  return { initrds, dtbs };
}

export function editorFor(entry: BootEntry, choices: EditChoices): EditorState {
  return { entryId: entry.id, line: lineOf(entry.cmdline), field: 'cmdline', ...choices, initrdIndex: 0, dtbIndex: 0, overlays: true };
}

export function editorKey(editor: EditorState, key: Key): EditorState {
  if (key.kind === 'tab' || key.kind === 'backtab') {
    const step = key.kind === 'tab' ? 1 : FIELDS.length - 1;
    return { ...editor, field: FIELDS[(FIELDS.indexOf(editor.field) + step) % FIELDS.length]! };
  }
  if (editor.field === 'cmdline') return { ...editor, line: editLine(editor.line, key) };
  const step = key.kind === 'right' || key.kind === 'down' || (key.kind === 'text' && key.text === ' ') ? 1
    : key.kind === 'left' || key.kind === 'up' ? -1 : 0;
  if (step === 0) return editor;
  const cycle = (i: number, n: number) => (i + step + n) % n;
  if (editor.field === 'overlays') return { ...editor, overlays: !editor.overlays };
  return editor.field === 'initrd'
    ? { ...editor, initrdIndex: cycle(editor.initrdIndex, editor.initrds.length) }
    : { ...editor, dtbIndex: cycle(editor.dtbIndex, editor.dtbs.length) };
}

/** Only what changed goes into the edits, so an untouched entry boots exactly as listed. */
export function editsOf(editor: EditorState, entry: BootEntry): BootEdits {
  const edits: BootEdits = {};
  if (editor.line.text !== entry.cmdline) edits.cmdline = editor.line.text;
  if (editor.initrdIndex !== 0) edits.initrd = editor.initrds[editor.initrdIndex] ?? [];
  if (editor.dtbIndex !== 0) edits.dtb = editor.dtbs[editor.dtbIndex] ?? null;
  if (!editor.overlays && (entry.overlays.length > 0 || entry.dtparams.length > 0)) edits.overlays = false;
  return edits;
}
