// One console's menu: its own reducer over the owner's shared state, one input hook, and the
// effects the reducer asks for. Leaving Ink (to boot, to run a shell, to quit) goes through
// `onLeave` with the state to resume; every state is reported through `onState`, so a console
// that another one's boot takes off the screen comes back as it was.
import { Box } from 'ink';
import { useCallback, useEffect, useReducer, useRef } from 'react';
import type { SharedStore } from '../menu/server.js';
import type { BootEdits, BootEntry, BootPlan } from '../model.js';
import { EditorView } from './EditorView.js';
import { Header } from './Header.js';
import { HelpBar } from './HelpBar.js';
import { LogView } from './LogView.js';
import { MainView } from './MainView.js';
import { PasswordPrompt } from './PasswordPrompt.js';
import { entries, reduce, viewOver, type MenuState, type ViewState } from './state.js';
import { StatusLine, statusLines } from './StatusLine.js';
import { useKeys } from './use-keys.js';
import { useTerminalSize } from './use-terminal-size.js';

export type Leave =
  | { kind: 'boot'; entry: BootEntry; plan: BootPlan; state: MenuState }
  | { kind: 'shell'; state: MenuState }
  | { kind: 'quit'; state: MenuState };

export interface AppProps {
  store: SharedStore;
  plan: (entry: BootEntry, edits: BootEdits | null) => BootPlan;
  /** This console's view to start from (its cursor, editor...). */
  initial: ViewState;
  onLeave: (leave: Leave) => void;
  onState?: (state: MenuState) => void;
}

function sourceRoot(state: MenuState): string | null {
  const entry = entries(state).find((e) => e.id === state.editor?.entryId);
  return state.scan?.sources.find((s) => s.id === entry?.source)?.root ?? null;
}

export function App({ store, plan, initial, onLeave, onState }: AppProps) {
  const [state, dispatch] = useReducer(reduce, initial, (view) => viewOver(store.snapshot(), view));
  useEffect(() => store.subscribe(() => dispatch({ type: 'shared', shared: store.snapshot() })), [store]);
  useKeys(
    useCallback(
      (key) => {
        store.keyPressed();
        dispatch({ type: 'key', key, shared: store.snapshot() });
      },
      [store],
    ),
  );
  const { columns, rows } = useTerminalSize();
  useEffect(() => onState?.(state), [state, onState]);

  const handled = useRef(initial.effectSeq);
  useEffect(() => {
    const effect = state.effect;
    if (!effect || handled.current === state.effectSeq) return;
    handled.current = state.effectSeq;
    if (effect.kind === 'rescan') return store.rescan();
    if (effect.kind === 'shell' || effect.kind === 'quit') return onLeave({ kind: effect.kind, state });
    const entry = entries(state).find((e) => e.id === effect.entryId);
    if (!entry) return dispatch({ type: 'refused', message: 'that entry is gone (its disk was removed)' });
    const p = plan(entry, effect.edits);
    if (!p.ok) return dispatch({ type: 'refused', message: `cannot boot ${entry.label}: ${p.refusal ?? 'refused'}` });
    onLeave({ kind: 'boot', entry, plan: p, state });
  }, [state, store, plan, onLeave]);

  // One line short of the screen: Ink redraws everything when a frame fills the terminal.
  const height = Math.max(8, rows - 1);
  const width = Math.max(20, columns);
  const status = statusLines(state, width);
  const body = height - 3 - status.length;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Header state={state} width={width} />
      {state.screen === 'menu' && <MainView state={state} width={width} height={body} />}
      {state.screen === 'editor' && state.editor && (
        <EditorView editor={state.editor} entry={entries(state).find((e) => e.id === state.editor!.entryId) ?? null} plan={plan} sourceRoot={sourceRoot(state)} width={width} height={body} />
      )}
      {state.screen === 'log' && <LogView state={state} width={width} height={body} />}
      {state.screen === 'password' && state.password && <PasswordPrompt password={state.password} width={width} height={body} />}
      <StatusLine lines={status} width={width} />
      <HelpBar screen={state.screen} width={width} />
    </Box>
  );
}
