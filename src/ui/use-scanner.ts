// Runs scans one at a time: the first on mount, then on `r`, and whenever the watcher sees a disk
// come or go. A request during a scan queues exactly one more, so the result is never stale.
import { useCallback, useEffect, useRef } from 'react';
import type { MenuBackend, ScanOutcome } from './backend.js';
import type { Action } from './state.js';

export function useScanner(backend: MenuBackend, dispatch: (action: Action) => void, initialScan: boolean, haveResult = false): () => void {
  const running = useRef(false);
  const again = useRef(false);
  const alive = useRef(true);
  const scannedOnce = useRef(haveResult);

  const rescan = useCallback(() => {
    if (running.current) {
      again.current = true;
      return;
    }
    running.current = true;
    dispatch({ type: 'scan-started' });
    const log = (text: string) => alive.current && dispatch({ type: 'log', text });
    const started = Date.now();
    // The first scan shows disks as they answer; a rescan keeps the last whole result on screen
    // until it is done (a partial one would drop the disks still being read, and their countdown).
    const progress = (outcome: ScanOutcome) =>
      alive.current && !scannedOnce.current && dispatch({ type: 'scanned', scan: outcome.scan, config: outcome.config, partial: true });
    backend.scan(log, progress).then(
      (outcome) => {
        if (!alive.current) return;
        scannedOnce.current = true;
        log(`scan: ${outcome.scan.sources.length} sources, ${outcome.scan.entries.length} entries, ${outcome.scan.problems.length} problems in ${Date.now() - started} ms`);
        dispatch({ type: 'scanned', scan: outcome.scan, config: outcome.config });
      },
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        log(`scan failed: ${message}`);
        if (alive.current) dispatch({ type: 'scan-failed', message });
      },
    ).finally(() => {
      running.current = false;
      if (again.current && alive.current) {
        again.current = false;
        rescan();
      }
    });
  }, [backend, dispatch]);

  useEffect(() => {
    alive.current = true;
    if (initialScan) rescan();
    const stop = backend.watch((what) => {
      dispatch({ type: 'log', text: `hotplug: ${what}` });
      rescan();
    });
    return () => {
      alive.current = false;
      stop();
    };
  }, [backend, dispatch, rescan, initialScan]);

  return rescan;
}
