// GRUB 2: finds grub.cfg where GRUB keeps it on a root, /boot or EFI system partition, runs it
// (see grub-interpreter.ts) and reports every Linux menu entry with the one GRUB would boot.
import { parseBls } from './bls.js';
import { resolveDefault, type MenuNode } from './grub-default.js';
import { GrubInterpreter, type BlsImporter, type Menu } from './grub-interpreter.js';
import { configFilesAt } from './config-files.js';
import { ProblemLog } from './problems.js';
import type { ParseContext, ParseResult, Parser, ProblemSink, SourceFiles } from './types.js';

/** Where GRUB keeps its config: on a root partition, on a separate /boot, for grub2-named distros. */
export const GRUB_CONFIG_PATHS = ['/boot/grub/grub.cfg', '/grub/grub.cfg', '/boot/grub2/grub.cfg', '/grub2/grub.cfg'];

export const parseGrub: Parser = (ctx) => parseGrubWith(ctx, parseBls);

/** Every grub.cfg on the source: the usual places, then /EFI/<vendor>/grub.cfg on an ESP. */
export function findGrubConfigs(files: SourceFiles, problems: ProblemSink): string[] {
  const places = [...GRUB_CONFIG_PATHS];
  // FAT is case-insensitive, and vendors write EFI, efi or Efi.
  const efi = files.list('/')?.find((name) => name.toLowerCase() === 'efi');
  for (const vendor of efi ? (files.list(`/${efi}`) ?? []) : []) {
    const dir = `/${efi}/${vendor}`;
    const cfg = files.list(dir)?.find((name) => name.toLowerCase() === 'grub.cfg');
    if (cfg) places.push(`${dir}/${cfg}`);
  }
  return configFilesAt(files, places, problems);
}

/**
 * The loopback.cfg convention of ISO images (Ubuntu, Debian live, GRUB's own docs): GRUB that
 * boots the image from a file sets `iso_path` to that file and reads /boot/grub/loopback.cfg,
 * whose entries pass it on (`findiso=${iso_path}`). Null when the image has none.
 */
export function parseGrubLoopback(ctx: ParseContext, isoPath: string): ParseResult | null {
  const file = configFilesAt(ctx.files, [LOOPBACK_CFG], new ProblemLog())[0];
  if (!file) return null;
  return runGrub(ctx, parseBls, [file], (interpreter) => interpreter.define('iso_path', isoPath));
}

export const LOOPBACK_CFG = '/boot/grub/loopback.cfg';

export function parseGrubWith(ctx: ParseContext, importBls: BlsImporter | null): ParseResult {
  return runGrub(ctx, importBls, null);
}

function runGrub(ctx: ParseContext, importBls: BlsImporter | null, configs: string[] | null, setUp?: (interpreter: GrubInterpreter) => void): ParseResult {
  const interpreter = new GrubInterpreter(ctx, importBls);
  setUp?.(interpreter);
  (configs ?? findGrubConfigs(ctx.files, interpreter.problems)).forEach((path, group) => interpreter.runConfig(path, group));
  const { entries, problems, menus } = interpreter;

  const shown = shownMenu(menus, entries.length);
  if (shown) {
    const choice = resolveDefault(shown.nodes, shown.defaultSpec?.value ?? '');
    if (choice.problem) problems.push({ file: shown.file, line: null, message: `${choice.problem}: the first entry is the default` });
    const index = choice.entry ?? firstLinuxEntry(shown.nodes);
    entries.forEach((e, i) => (e.isDefault = i === index));
  }
  return { entries, problems: problems.list() };
}

/**
 * The menu GRUB shows: of the first config that yields a Linux entry, the last menu a configfile
 * opened that has entries (GRUB shows a configfile's menu at once), else the config's own.
 */
function shownMenu(menus: Menu[], entryCount: number): Menu | null {
  if (entryCount === 0) return null;
  const groups = [...new Set(menus.map((m) => m.group))];
  for (const group of groups) {
    const inGroup = menus.filter((m) => m.group === group);
    const withNodes = inGroup.filter((m) => m.nodes.length > 0);
    const menu = withNodes[withNodes.length - 1] ?? inGroup[0]!;
    if (firstLinuxEntry(menu.nodes) !== null) return menu;
  }
  return null;
}

function firstLinuxEntry(nodes: MenuNode[]): number | null {
  for (const node of nodes) {
    const found = node.kind === 'entry' ? node.entry : firstLinuxEntry(node.children);
    if (found !== null) return found;
  }
  return null;
}
