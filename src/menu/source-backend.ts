// The MenuBackend over the real scan and planner: ROOT directories (plus every subdirectory of a
// --watch-dir), or block devices kept mounted read-only while the menu runs.
import path from 'node:path';
import { mergeConfig, type MenuConfig } from '../config.js';
import { scan, type ScanOptions } from '../discover/scan.js';
import { describeDtbFile, tryRequestedTree } from '../boot/dtb-fixup.js';
import { planBoot, type DtbFacts } from '../boot/plan.js';
import { piCmdlinesOf } from '../boot/pi-firmware-args.js';
import type { BootSource, ByteRange, DeviceTreeReport, DeviceTreeRequest, Machine, ScanResult } from '../model.js';
import type { MenuBackend, ScanOutcome } from './backend.js';
import { listNames, pollListing } from '../discover/hotplug.js';

export interface BackendOptions {
  roots: string[];
  watchDirs: string[];
  devices: string[];
  /** The machine plans are made for; its `compatible` is the board every scan matches DTBs and Pi sections against. */
  machine: Machine;
  imageConfig: MenuConfig;
  cliConfig: Partial<MenuConfig>;
  tmpDir?: string;
}

export function deviceMode(o: Pick<BackendOptions, 'roots' | 'watchDirs' | 'devices'>): boolean {
  return o.devices.length > 0 || (o.roots.length === 0 && o.watchDirs.length === 0);
}

export function createBackend(o: BackendOptions): MenuBackend {
  const devices = deviceMode(o);
  const lastSources = new Map<string, BootSource>();
  let piCmdlines: string[] = [];
  // The editor plans on every keystroke: read each .dtb once per scan, not once per key.
  const dtbFacts = new Map<string, DtbFacts | null>();
  const describeDtb = (file: string, range?: ByteRange): DtbFacts | null => {
    const key = range ? `${file}@${range.offset}+${range.size}` : file;
    if (!dtbFacts.has(key)) dtbFacts.set(key, describeDtbFile(file, range));
    return dtbFacts.get(key) ?? null;
  };
  // And build each device tree once per scan: overlays are read and merged to report on them.
  const treeReports = new Map<string, DeviceTreeReport | string>();
  const tryDeviceTree = (request: DeviceTreeRequest): DeviceTreeReport | string => {
    const key = JSON.stringify(request);
    if (!treeReports.has(key)) treeReports.set(key, tryRequestedTree(request));
    return treeReports.get(key)!;
  };
  return {
    async scan(log, onProgress) {
      const watched = o.watchDirs.flatMap((dir) => listNames(dir, true).map((name) => path.resolve(dir, name)));
      const options: ScanOptions = {
        roots: [...o.roots, ...watched],
        // A directory that appeared in a watched directory stands for a plugged-in stick.
        removableRoots: watched,
        devices: o.devices,
        arch: o.machine.arch,
        board: o.machine.compatible,
        keepMounted: devices,
        log,
      };
      const outcome = (result: ScanResult): ScanOutcome => ({ scan: result, config: mergeConfig(o.imageConfig, result.config, o.cliConfig) });
      const result = await scan({ ...options, ...(onProgress && { onProgress: (partial) => onProgress(outcome(partial)) }) });
      lastSources.clear();
      dtbFacts.clear();
      treeReports.clear();
      for (const s of result.sources) lastSources.set(s.id, s);
      piCmdlines = piCmdlinesOf(result.entries);
      return outcome(result);
    },
    plan(entry, edits) {
      return planBoot(entry, o.machine, edits ?? {}, {
        source: lastSources.get(entry.source) ?? null,
        describeDtb,
        tryDeviceTree,
        piCmdlines,
        ...(o.tmpDir ? { tmpDir: o.tmpDir } : {}),
      });
    },
    watch(onChange) {
      const stops = devices ? [pollListing('/sys/class/block', false, onChange)] : o.watchDirs.map((dir) => pollListing(dir, true, onChange));
      return () => stops.forEach((stop) => stop());
    },
  };
}
