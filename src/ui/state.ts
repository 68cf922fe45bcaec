// One console's view of the menu as one reducer: its screen, cursor, editor, password prompt and
// log scroll. What all consoles share (the scan, the countdown, the log) comes from the owner
// (`SharedState`) with every action, so fast keys always act on the current state. Side effects
// (boot, shell, rescan, quit) are requested through `effect` and carried out by the App.
import { verifyPassword } from '../config.js';
import { chooseDefault } from '../menu/countdown.js';
import type { SharedState } from '../menu/shared-state.js';
import type { BootEdits, BootEntry } from '../model.js';
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

/** What is this console's own. */
export interface ViewState {
  selected: string | null;
  screen: Screen;
  editor: EditorState | null;
  password: { then: Guarded; line: LineState; wrong: number } | null;
  /** The password was typed on this console (not on another one). */
  unlocked: boolean;
  message: string | null;
  logScroll: number;
  effect: Effect | null;
  effectSeq: number;
}

/** What a console draws: the shared state with its own view over it. */
export type MenuState = SharedState & ViewState;

export type Action =
  /** The owner's state changed. */
  | { type: 'shared'; shared: SharedState }
  /** A key on this console; `shared` is the owner's state after it stopped the countdown. */
  | { type: 'key'; key: Key; shared: SharedState }
  /** The entry chosen here cannot be booted. */
  | { type: 'refused'; message: string };

/** A console's view before any key: the cursor goes where `viewOver` puts it. */
export function freshView(shared: SharedState): ViewState {
  return {
    selected: null, screen: 'menu', editor: null, password: null, unlocked: shared.config.password === null,
    message: null, logScroll: 0, effect: null, effectSeq: 0,
  };
}

/** A console's view drawn over the shared state. */
export function viewOver(shared: SharedState, view: ViewState): MenuState {
  return reconcile({ ...shared, ...view });
}

/** The shared part of a view replaced by the owner's newest. */
function withShared(state: MenuState, shared: SharedState): MenuState {
  return reconcile({ ...state, ...shared }, state.scan);
}

/** Just the console's own part, to keep while the console is not drawn. */
export function viewOf(state: MenuState): ViewState {
  const { selected, screen, editor, password, unlocked, message, logScroll, effect, effectSeq } = state;
  return { selected, screen, editor, password, unlocked, message, logScroll, effect, effectSeq };
}

const withEffect = (state: MenuState, effect: Effect): MenuState => ({ ...state, effect, effectSeq: state.effectSeq + 1 });

export function entries(state: MenuState): BootEntry[] {
  return state.scan ? orderedEntries(state.scan) : [];
}

/**
 * The cursor after the shared state changed: on the countdown's target while it runs, else where
 * it was, else on the default. An editor whose entry vanished (its disk was pulled) closes.
 */
function reconcile(state: MenuState, scanBefore: SharedState['scan'] = null): MenuState {
  if (!state.scan) return state;
  if (state.scan === scanBefore && state.autoboot.state !== 'counting') return state;
  const list = entries(state);
  let selected = list.some((e) => e.id === state.selected) ? state.selected : null;
  if (state.autoboot.state === 'counting') selected = state.autoboot.target;
  selected ??= chooseDefault(state.scan, state.config)?.id ?? list[0]?.id ?? null;
  const lost = state.editor && !list.some((e) => e.id === state.editor!.entryId);
  return {
    ...state, selected,
    ...(lost ? { screen: 'menu' as const, editor: null, message: 'the entry being edited is gone (its disk was removed)' } : {}),
  };
}

export function reduce(state: MenuState, action: Action): MenuState {
  switch (action.type) {
    case 'shared':
      return withShared(state, action.shared);
    case 'key':
      return onKey(withShared(state, action.shared), action.key);
    case 'refused':
      return { ...state, screen: 'menu', message: action.message };
  }
}

function onKey(s: MenuState, key: Key): MenuState {
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
    case 'r': return withEffect({ ...state, message: null }, { kind: 'rescan' });
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
      if (ch === 'r') s = withEffect(s, { kind: 'rescan' });
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
