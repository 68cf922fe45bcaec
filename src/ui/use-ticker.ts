// One tick a second while the countdown runs.
import { useEffect } from 'react';
import type { Action } from './state.js';

export function useTicker(active: boolean, dispatch: (action: Action) => void): void {
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => dispatch({ type: 'tick' }), 1000);
    return () => clearInterval(timer);
  }, [active, dispatch]);
}
