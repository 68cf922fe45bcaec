// The one place input enters the menu: raw events from Ink's stdin, decoded and dispatched in
// order. The handler only dispatches, so it never reads state and never sees a stale one.
import { useStdin } from 'ink';
import { useEffect } from 'react';
import { decodeKeys, type Key } from './keys.js';

export function useKeys(onKey: (key: Key) => void): void {
  const { setRawMode, isRawModeSupported, internal_eventEmitter: events } = useStdin();
  useEffect(() => {
    if (!isRawModeSupported) return;
    setRawMode(true);
    return () => setRawMode(false);
  }, [isRawModeSupported, setRawMode]);
  useEffect(() => {
    const onInput = (raw: string) => {
      for (const key of decodeKeys(raw)) onKey(key);
    };
    events.on('input', onInput);
    return () => {
      events.removeListener('input', onInput);
    };
  }, [events, onKey]);
}
