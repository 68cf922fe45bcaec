// Reads config.txt the way the Raspberry Pi firmware does: one `key=value` per line, `#` comments
// at the start of a line, `initramfs FILE ADDR` and `include FILE` without `=`, and conditional
// sections. It yields the settings that apply to one board, in order, with where each came from.
import { ProblemLog } from './problems.js';
import type { SourceFiles } from './types.js';
import { MODEL_FILTERS } from './rpi-boards.js';

export interface RpiSetting {
  key: string;
  value: string;
  file: string;
  line: number;
}

export interface RpiConfigRead {
  settings: RpiSetting[];
  problems: ProblemLog;
}

/** The firmware ignores characters past this on a line. */
const MAX_LINE_CHARS = 98;
const MAX_INCLUDE_DEPTH = 8;
const MAX_INCLUDED_FILES = 32;

/**
 * Section state. Filters of one type replace each other and types combine (AND), so the model
 * filter is one slot; every other filter ([EDID=…], [gpio4=1], [0x12345678], [board-type=…],
 * [HDMI:0], [tryboot]) tests something we cannot see from here and counts as false until [all].
 */
interface Sections {
  model: string | null;
  unknown: boolean;
  none: boolean;
}

/**
 * The settings that apply on a board matching `filters` (e.g. {"pi4", "pi400"}). `include` inserts
 * the other file's lines in place, so sections opened there carry on after it, as in the firmware.
 */
export function readRpiConfig(files: SourceFiles, configPath: string, partitionDir: string, filters: ReadonlySet<string>): RpiConfigRead {
  const out: RpiConfigRead = { settings: [], problems: new ProblemLog() };
  const sections: Sections = { model: null, unknown: false, none: false };
  let included = 0;

  const active = () => !sections.none && !sections.unknown && (sections.model === null || filters.has(sections.model));

  const readFile = (path: string, stack: string[], from: { file: string; line: number } | null): void => {
    const read = files.read(path);
    if (!read.ok) {
      out.problems.push({ file: from?.file ?? path, line: from?.line ?? null, message: read.message });
      return;
    }
    const lines = read.text.split('\n');
    let lineNo = 0;
    const problem = (message: string): void => out.problems.add({ file: path, line: lineNo, message });
    const readLine = (raw: string): void => {
      let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (line.length > MAX_LINE_CHARS) {
        problem(`line longer than the firmware's ${MAX_LINE_CHARS} characters: the rest is ignored`);
        line = line.slice(0, MAX_LINE_CHARS);
      }
      line = line.trim();
      if (line === '' || line.startsWith('#')) return;

      const section = /^\[(.*)\]$/.exec(line);
      if (section) {
        enterSection(sections, section[1]!.trim());
        return;
      }
      const include = /^include\s+(\S+)$/.exec(line);
      if (include) {
        const target = resolveInPartition(partitionDir, include[1]!);
        if (!target) return problem(`include ${include[1]} escapes the boot partition`);
        if (target === path || stack.includes(target)) return problem(`include loop: ${target} is already being read`);
        if (stack.length + 1 >= MAX_INCLUDE_DEPTH) return problem(`include nested deeper than ${MAX_INCLUDE_DEPTH} files: ${target} skipped`);
        if (++included > MAX_INCLUDED_FILES) return problem(`more than ${MAX_INCLUDED_FILES} includes: ${target} skipped`);
        readFile(target, [...stack, path], { file: path, line: lineNo });
        return;
      }
      const initramfs = /^(initramfs|ramfsfile)\s+(.*)$/.exec(line);
      const pair = initramfs ? [initramfs[1]!, initramfs[2]!.trim()] : splitKeyValue(line);
      if (!pair) return problem(`not understood: ${line}`);
      if (active()) out.settings.push({ key: pair[0]!, value: pair[1]!, file: path, line: lineNo });
    };
    for (const raw of lines) {
      lineNo++;
      readLine(raw);
    }
  };

  readFile(configPath, [], null);
  return out;
}

function enterSection(sections: Sections, filter: string): void {
  if (filter === 'all') {
    sections.model = null;
    sections.unknown = false;
    sections.none = false;
  } else if (filter === 'none') {
    sections.none = true;
  } else if (MODEL_FILTERS.has(filter)) {
    sections.model = filter;
  } else {
    sections.unknown = true;
  }
}

function splitKeyValue(line: string): [string, string] | null {
  const eq = line.indexOf('=');
  if (eq <= 0) return null;
  return [line.slice(0, eq).trim(), line.slice(eq + 1).trim()];
}

/**
 * A file name from config.txt as a source path. Names are relative to the boot partition, and a
 * leading '/' means its root too (it only bypasses os_prefix). On a real Pi the boot partition is
 * a filesystem of its own, so `..` cannot leave it: null when it would.
 */
export function resolveInPartition(partitionDir: string, name: string): string | null {
  const parts = partitionDir.split('/').filter(Boolean);
  const floor = parts.length;
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === floor) return null;
      parts.pop();
    } else {
      parts.push(part);
    }
  }
  return `/${parts.join('/')}`;
}
