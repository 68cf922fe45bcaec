// The whole menu as one reducer: every key and every outside event (a scan result, a second of
// the countdown) is an action, so fast keys always act on the current state. Side effects (boot,
// shell, rescan, quit) are requested through `effect` and carried out by the App.
import { effectiveTimeout, verifyPassword, type MenuConfig } from '../config.js';
import type { BootEdits, BootEntry, ScanResult } from '../model.js';
import { autobootAfterScan, chooseDefault, initialAutoboot, tick, type Autoboot } from './countdown.js';
import { editChoices, editorFor, editorKey, editsOf, type EditorState } from './editor-state.js';
import type { Key } from './keys.js';
import { orderedEntries } from './layout.js';
import { editLine, lineOf, type LineState } from './line-edit.js';

export type Screen = 'menu' | 'editor' | 'log' | 'password';
export type Guarded = 'edit' | 'shell' | 'quit';

export type Effect =
  | { kind: 'boot'; entryId: string; edits: BootEdits | null }
  | { kind: 'shell' }
  | { kind: 'rescan' }
  | { kind: 'quit' };

export interface MenuState {
  scan: ScanResult | null;
  scanning: boolean;
  config: MenuConfig;
  timeout: number;
  selected: string | null;
  autoboot: Autoboot;
  screen: Screen;
  editor: EditorState | null;
  password: { then: Guarded; line: LineState; wrong: number } | null;
  unlocked: boolean;
  message: string | null;
  log: string[];
  logScroll: number;
  effect: Effect | null;
  effectSeq: number;
}

export type Action =
  | { type: 'scan-started' }
  | { type: 'scan-failed'; message: string }
  /** A scan's result; `partial` while some disks have not answered yet. */
  | { type: 'scanned'; scan: ScanResult; config: MenuConfig; partial?: boolean }
  | { type: 'key'; key: Key }
  | { type: 'tick' }
  | { type: 'log'; text: string }
  | { type: 'boot-failed'; message: string };

export function initialState(config: MenuConfig, timeout: number): MenuState {
  return {
    scan: null, scanning: true, config, timeout, selected: null,
    autoboot: initialAutoboot(timeout), screen: 'menu', editor: null, password: null,
    unlocked: config.password === null, message: null, log: [], logScroll: 0, effect: null, effectSeq: 0,
  };
}

const withEffect = (state: MenuState, effect: Effect): MenuState => ({ ...state, effect, effectSeq: state.effectSeq + 1 });

/** Boots the countdown's target when its time is up. */
function fireIfDue(state: MenuState): MenuState {
  const a = state.autoboot;
  if (a.state !== 'counting' || a.remaining > 0 || state.screen !== 'menu') return state;
  return withEffect({ ...state, autoboot: { state: 'stopped' }, selected: a.target }, { kind: 'boot', entryId: a.target, edits: null });
}

export function entries(state: MenuState): BootEntry[] {
  return state.scan ? orderedEntries(state.scan) : [];
}

export function reduce(state: MenuState, action: Action): MenuState {
  switch (action.type) {
    case 'scan-started':
      return { ...state, scanning: true };
    case 'scan-failed':
      return { ...state, scanning: false, message: `scan failed: ${action.message} (r retries, l shows the log)` };
    case 'scanned': {
      // A disk's kexmenu.conf may set the timeout; it counts from the scan that brought it.
      const timeout = effectiveTimeout(action.config);
      const next = { ...state, scan: action.scan, scanning: action.partial === true, config: action.config, timeout };
      const before = timeout < 0 && state.autoboot.state === 'waiting' ? initialAutoboot(timeout) : state.autoboot;
      const autoboot = autobootAfterScan(before, action.scan, action.config, timeout);
      const list = orderedEntries(action.scan);
      let selected = list.some((e) => e.id === state.selected) ? state.selected : null;
      if (autoboot.state === 'counting') selected = autoboot.target;
      selected ??= chooseDefault(action.scan, action.config)?.id ?? list[0]?.id ?? null;
      // An editor whose entry vanished (its disk was pulled) has nothing left to boot.
      const lost = state.editor && !list.some((e) => e.id === state.editor!.entryId);
      return fireIfDue({
        ...next, autoboot, selected,
        ...(lost ? { screen: 'menu' as const, editor: null, message: 'the entry being edited is gone (its disk was removed)' } : {}),
      });
    }
    case 'tick':
      return fireIfDue({ ...state, autoboot: tick(state.autoboot) });
    case 'log':
      return { ...state, log: [...state.log, action.text].slice(-500) };
    case 'boot-failed':
      return { ...state, screen: 'menu', message: action.message, autoboot: { state: 'stopped' } };
    case 'key':
      return onKey(state, action.key);
  }
}

function onKey(state: MenuState, key: Key): MenuState {
  // Any key stops the countdown; the key then does what it always does.
  const s: MenuState =
    state.autoboot.state === 'counting' || state.autoboot.state === 'waiting' ? { ...state, autoboot: { state: 'stopped' } } : state;
  switch (s.screen) {
    case 'menu':
      return menuKey(s, key);
    case 'editor':
      return editorScreenKey(s, key);
    case 'log':
      return logKey(s, key);
    case 'password':
      return passwordKey(s, key);
  }
}

function menuKey(state: MenuState, key: Key): MenuState {
  if (key.kind === 'text') {
    // Several fast keystrokes can arrive as one run of text: each character is its own key.
    let s = state;
    for (const ch of key.text) s = menuChar(s, ch);
    return s;
  }
  const list = entries(state);
  const at = Math.max(0, list.findIndex((e) => e.id === state.selected));
  const select = (i: number): MenuState =>
    list.length === 0 ? state : { ...state, selected: list[Math.max(0, Math.min(list.length - 1, i))]!.id, message: null };
  switch (key.kind) {
    case 'up': return select(at - 1);
    case 'down': return select(at + 1);
    case 'home': return select(0);
    case 'end': return select(list.length - 1);
    case 'pageup': return select(at - 10);
    case 'pagedown': return select(at + 10);
    case 'enter':
      return state.selected ? withEffect({ ...state, message: null }, { kind: 'boot', entryId: state.selected, edits: null }) : state;
    case 'ctrl-c': return guarded(state, 'quit');
    default: return state;
  }
}

function menuChar(state: MenuState, ch: string): MenuState {
  const list = entries(state);
  const at = Math.max(0, list.findIndex((e) => e.id === state.selected));
  if (ch >= '1' && ch <= '9') {
    const entry = list[Number(ch) - 1];
    return entry ? { ...state, selected: entry.id, message: null } : state;
  }
  switch (ch) {
    case 'j': return menuKey(state, { kind: 'down' });
    case 'k': return menuKey(state, { kind: 'up' });
    case 'g': return menuKey(state, { kind: 'home' });
    case 'G': return menuKey(state, { kind: 'end' });
    case 'e': return list[at] ? guarded(state, 'edit') : state;
    case 'x': return guarded(state, 'shell');
    case 'q': return guarded(state, 'quit');
    case 'l': return { ...state, screen: 'log', logScroll: 0, message: null };
    case 'r': return withEffect({ ...state, scanning: true, message: null }, { kind: 'rescan' });
    default: return state;
  }
}

/** Editing, the shell and quitting need the password in restricted mode; booting a listed entry does not. */
function guarded(state: MenuState, what: Guarded): MenuState {
  if (!state.unlocked) return { ...state, screen: 'password', password: { then: what, line: lineOf(''), wrong: 0 }, message: null };
  return perform(state, what);
}

function perform(state: MenuState, what: Guarded): MenuState {
  const base = { ...state, screen: 'menu' as const, password: null, message: null };
  if (what === 'shell') return withEffect(base, { kind: 'shell' });
  if (what === 'quit') return withEffect(base, { kind: 'quit' });
  const entry = entries(state).find((e) => e.id === state.selected);
  if (!entry || !state.scan) return base;
  return { ...base, screen: 'editor', editor: editorFor(entry, editChoices(entry, state.scan)) };
}

function passwordKey(state: MenuState, key: Key): MenuState {
  const p = state.password;
  if (!p) return { ...state, screen: 'menu' };
  if (key.kind === 'escape' || key.kind === 'ctrl-c') return { ...state, screen: 'menu', password: null };
  if (key.kind === 'enter') {
    const ok = state.config.password !== null && verifyPassword(state.config.password, p.line.text);
    if (!ok) return { ...state, password: { ...p, line: lineOf(''), wrong: p.wrong + 1 } };
    return perform({ ...state, unlocked: true }, p.then);
  }
  return { ...state, password: { ...p, line: editLine(p.line, key) } };
}

function editorScreenKey(state: MenuState, key: Key): MenuState {
  const editor = state.editor;
  if (!editor) return { ...state, screen: 'menu' };
  if (key.kind === 'escape') return { ...state, screen: 'menu', editor: null, message: 'edit discarded' };
  if (key.kind === 'enter') {
    const entry = entries(state).find((e) => e.id === editor.entryId);
    if (!entry) return { ...state, screen: 'menu', editor: null };
    return withEffect(state, { kind: 'boot', entryId: entry.id, edits: editsOf(editor, entry) });
  }
  return { ...state, editor: editorKey(editor, key) };
}

/** Log scrolling stops at the last item (lines wrap by width, so this bounds it, not exactly). */
function scrollLog(state: MenuState, by: number): MenuState {
  const items = (state.scan?.problems.length ?? 0) + state.log.length + 2;
  return { ...state, logScroll: Math.max(0, Math.min(items, state.logScroll + by)) };
}

function logKey(state: MenuState, key: Key): MenuState {
  if (key.kind === 'text') {
    let s = state;
    for (const ch of key.text) {
      if (ch === 'r') s = withEffect({ ...s, scanning: true }, { kind: 'rescan' });
      else if (ch === 'l' || ch === 'q') s = { ...s, screen: 'menu' };
      else if (ch === 'j') s = scrollLog(s, 1);
      else if (ch === 'k') s = scrollLog(s, -1);
    }
    return s;
  }
  switch (key.kind) {
    case 'escape': case 'enter': return { ...state, screen: 'menu' };
    case 'down': return scrollLog(state, 1);
    case 'up': return scrollLog(state, -1);
    case 'pagedown': return scrollLog(state, 10);
    case 'pageup': return scrollLog(state, -10);
    case 'home': return { ...state, logScroll: 0 };
    default: return state;
  }
}
