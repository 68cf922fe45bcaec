// One console over the owner's shared state, driven purely: the same reducers the MenuServer and
// a console's App run, in the same order (a key goes to the owner first, then to the console),
// with no timers and no Ink. `fired` lists what the countdown booted.
import type { MenuConfig } from '../../src/config.js';
import { dueBoot, initialShared, reduceShared, type SharedAction, type SharedState } from '../../src/menu/shared-state.js';
import { decodeKeys, type Key } from '../../src/ui/keys.js';
import { freshView, reduce, viewOver, type MenuState } from '../../src/ui/state.js';

export type Step = SharedAction | { type: 'press'; key: Key };

export const keys = (raw: string): Step[] => decodeKeys(raw).map((key) => ({ type: 'press', key }));

export function sharedOf(state: MenuState): SharedState {
  const { scan, scanning, config, timeout, autoboot, log, notice } = state;
  return { scan, scanning, config, timeout, autoboot, log, notice };
}

export function start(config: MenuConfig): MenuState {
  const shared = initialShared(config);
  return viewOver(shared, freshView(shared));
}

export function run(state: MenuState, ...steps: Step[]): { state: MenuState; fired: string[] } {
  const fired: string[] = [];
  let s = state;
  for (const step of steps) {
    if (step.type === 'press') {
      s = reduce(s, { type: 'key', key: step.key, shared: reduceShared(sharedOf(s), { type: 'key' }) });
      continue;
    }
    let shared = reduceShared(sharedOf(s), step);
    const due = dueBoot(shared);
    if (due !== null) {
      fired.push(due);
      shared = reduceShared(shared, { type: 'key' });
    }
    s = reduce(s, { type: 'shared', shared });
  }
  return { state: s, fired };
}

export const apply = (state: MenuState, ...steps: Step[]): MenuState => run(state, ...steps).state;
