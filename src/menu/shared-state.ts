// What every console shows alike: the scan, the one countdown, the log, and a notice (a failed
// boot, a failed scan). One pure reducer; the owner (`MenuServer`) is the only one to run it, so
// every console sees the same state and a key on any of them stops the countdown for all.
import { effectiveTimeout, type MenuConfig } from '../config.js';
import type { ScanResult } from '../model.js';
import { autobootAfterScan, initialAutoboot, tick, type Autoboot } from './countdown.js';

export const LOG_LINES = 500;

export interface SharedState {
  scan: ScanResult | null;
  scanning: boolean;
  config: MenuConfig;
  timeout: number;
  autoboot: Autoboot;
  log: string[];
  /** For every console until the next key: why a boot or a scan failed. */
  notice: string | null;
}

export type SharedAction =
  | { type: 'scan-started' }
  | { type: 'scan-failed'; message: string }
  /** A scan's result; `partial` while some disks have not answered yet. */
  | { type: 'scanned'; scan: ScanResult; config: MenuConfig; partial?: boolean }
  | { type: 'tick' }
  | { type: 'log'; text: string }
  /** A key on some console, or the countdown's own boot: the countdown stops for good, the notice has been read. */
  | { type: 'key' }
  | { type: 'boot-failed'; message: string };

export function initialShared(config: MenuConfig, log: string[] = []): SharedState {
  const timeout = effectiveTimeout(config);
  return { scan: null, scanning: true, config, timeout, autoboot: initialAutoboot(timeout), log, notice: null };
}

export function reduceShared(state: SharedState, action: SharedAction): SharedState {
  switch (action.type) {
    case 'scan-started':
      return { ...state, scanning: true };
    case 'scan-failed':
      return { ...state, scanning: false, notice: `scan failed: ${action.message} (r retries, l shows the log)` };
    case 'scanned': {
      // A disk's kexmenu.conf may set the timeout; it counts from the scan that brought it.
      const timeout = effectiveTimeout(action.config);
      const before = timeout < 0 && state.autoboot.state === 'waiting' ? initialAutoboot(timeout) : state.autoboot;
      const autoboot = autobootAfterScan(before, action.scan, action.config, timeout);
      return { ...state, scan: action.scan, scanning: action.partial === true, config: action.config, timeout, autoboot };
    }
    case 'tick':
      return { ...state, autoboot: tick(state.autoboot) };
    case 'log':
      return { ...state, log: [...state.log, action.text].slice(-LOG_LINES) };
    case 'key': {
      const counting = state.autoboot.state === 'counting' || state.autoboot.state === 'waiting';
      if (!counting && state.notice === null) return state;
      return { ...state, autoboot: counting ? { state: 'stopped' } : state.autoboot, notice: null };
    }
    case 'boot-failed':
      return { ...state, notice: action.message, autoboot: { state: 'stopped' } };
  }
}

/** The entry the countdown boots now, when its time is up. */
export function dueBoot(state: SharedState): string | null {
  const a = state.autoboot;
  return a.state === 'counting' && a.remaining <= 0 ? a.target : null;
}
