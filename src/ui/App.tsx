// The root: one reducer for all state, one input hook, and the effects the reducer asks for.
// Leaving Ink (to boot, to run a shell, to quit) goes through `onLeave` with the state to resume.
import { Box } from 'ink';
import { useCallback, useEffect, useReducer, useRef } from 'react';
import type { BootEntry, BootPlan } from '../model.js';
import type { MenuBackend } from './backend.js';
import { EditorView } from './EditorView.js';
import { Header } from './Header.js';
import { HelpBar } from './HelpBar.js';
import { LogView } from './LogView.js';
import { MainView } from './MainView.js';
import { PasswordPrompt } from './PasswordPrompt.js';
import { entries, reduce, type Action, type MenuState } from './state.js';
import { StatusLine, statusLines } from './StatusLine.js';
import { useKeys } from './use-keys.js';
import { useScanner } from './use-scanner.js';
import { useTerminalSize } from './use-terminal-size.js';
import { useTicker } from './use-ticker.js';

export type Leave =
  | { kind: 'boot'; entry: BootEntry; plan: BootPlan; state: MenuState }
  | { kind: 'shell'; state: MenuState }
  | { kind: 'quit'; state: MenuState };

export interface AppProps {
  backend: MenuBackend;
  initial: MenuState;
  onLeave: (leave: Leave) => void;
  /** Scan on start; false when resuming with a scan already in hand. */
  initialScan?: boolean;
}

function sourceRoot(state: MenuState): string | null {
  const entry = entries(state).find((e) => e.id === state.editor?.entryId);
  return state.scan?.sources.find((s) => s.id === entry?.source)?.root ?? null;
}

export function App({ backend, initial, onLeave, initialScan = true }: AppProps) {
  const [state, dispatch] = useReducer(reduce, initial);
  const stableDispatch = useCallback((action: Action) => dispatch(action), []);
  const rescan = useScanner(backend, stableDispatch, initialScan, initial.scan !== null);
  useKeys(useCallback((key) => dispatch({ type: 'key', key }), []));
  useTicker(state.autoboot.state === 'counting', stableDispatch);
  const { columns, rows } = useTerminalSize();

  const handled = useRef(initial.effectSeq);
  useEffect(() => {
    const effect = state.effect;
    if (!effect || handled.current === state.effectSeq) return;
    handled.current = state.effectSeq;
    if (effect.kind === 'rescan') return rescan();
    if (effect.kind === 'shell' || effect.kind === 'quit') return onLeave({ kind: effect.kind, state });
    const entry = entries(state).find((e) => e.id === effect.entryId);
    if (!entry) return dispatch({ type: 'boot-failed', message: 'that entry is gone (its disk was removed)' });
    const plan = backend.plan(entry, effect.edits);
    if (!plan.ok) return dispatch({ type: 'boot-failed', message: `cannot boot ${entry.label}: ${plan.refusal ?? 'refused'}` });
    onLeave({ kind: 'boot', entry, plan, state });
  }, [state, backend, onLeave, rescan]);

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
        <EditorView editor={state.editor} entry={entries(state).find((e) => e.id === state.editor!.entryId) ?? null} plan={backend.plan} sourceRoot={sourceRoot(state)} width={width} height={body} />
      )}
      {state.screen === 'log' && <LogView state={state} width={width} height={body} />}
      {state.screen === 'password' && state.password && <PasswordPrompt password={state.password} width={width} height={body} />}
      <StatusLine lines={status} width={width} />
      <HelpBar screen={state.screen} width={width} />
    </Box>
  );
}
