// U-Boot boot scripts, the way many ARM boards boot (Armbian, flash-kernel's Debian, vendor
// images): boot.scr (boot.cmd wrapped by `mkimage -T script`) is run far enough to learn the
// kernel, initrd, device tree, overlays and command line its `booti`/`bootz`/`bootm` would boot
// (uboot-interpreter.ts). Each way the script can boot is an entry; the first is the default.
//
// Where U-Boot looks, from its include/config_distro_bootcmd.h (`boot_prefixes=/ /boot/`,
// `boot_scripts=boot.scr.uimg boot.scr`) and boot/bootmeth_script.c (the same names under each of
// bootstd's prefixes): each prefix in turn, boot.scr.uimg before boot.scr. A script that fails to
// read, or runs to its end without booting, lets U-Boot go on to the next one, and so does this.
// boot.cmd is only the source of boot.scr; it is read when no boot.scr is there.
import { configFilesAt } from './config-files.js';
import { boundedLabel } from './label.js';
import { ProblemLog } from './problems.js';
import type { ParsedEntry, Parser, ProblemSink, SourceFiles } from './types.js';
import { readScriptImage } from './uboot-image.js';
import { kexecInitrd } from './uboot-initrd.js';
import { runBootScript, type ScriptBoot } from './uboot-interpreter.js';
import { fromDisk } from './uboot-unknown.js';

const PREFIXES = ['/', '/boot/'];
const SCRIPT_NAMES = ['boot.scr.uimg', 'boot.scr'];
/** The biggest script read, image header included. */
export const MAX_SCRIPT_BYTES = 1024 * 1024;

interface Script {
  file: string;
  prefix: string;
  text: string;
}

export const parseUbootScript: Parser = (ctx) => {
  const problems = new ProblemLog();
  const scripts = PREFIXES.flatMap((prefix) => SCRIPT_NAMES.map((name) => ({ prefix, file: `${prefix}${name}` })));
  const found = configFilesAt(ctx.files, scripts.map((s) => s.file), problems);
  const seen = new Set<string>();
  let ran = false;
  for (const { prefix, file } of scripts.filter((s) => found.includes(s.file))) {
    const canonical = ctx.files.canonical(file) ?? file;
    if (seen.has(canonical)) continue;
    seen.add(canonical);
    const script = readImageScript(ctx.files, file, prefix, problems);
    if (!script) continue;
    ran = true;
    const entries = toEntries(ctx.files, script, runBootScript({ files: ctx.files, problems, prefix }, file, script.text), problems);
    if (entries.length > 0) return { entries, problems: problems.list() };
  }
  if (!ran) {
    const source = unwrappedScript(ctx.files, problems);
    if (source) {
      const boots = runBootScript({ files: ctx.files, problems, prefix: source.prefix }, source.file, source.text);
      return { entries: toEntries(ctx.files, source, boots, problems), problems: problems.list() };
    }
  }
  return { entries: [], problems: problems.list() };
};

function readImageScript(files: SourceFiles, file: string, prefix: string, problems: ProblemSink): Script | null {
  const size = files.stat(file)?.size ?? 0;
  if (size > MAX_SCRIPT_BYTES) {
    problems.push({ file, line: null, message: `${size} bytes, over the ${MAX_SCRIPT_BYTES}-byte limit for a boot script: not read` });
    return null;
  }
  const bytes = files.readBytes(file, 0, size);
  const image = bytes ? readScriptImage(bytes) : { ok: false as const, message: 'cannot be read' };
  if (!image.ok) {
    problems.push({ file, line: null, message: image.message });
    return null;
  }
  const text = fromDisk(image.text);
  const cmd = `${file.slice(0, file.lastIndexOf('/') + 1)}boot.cmd`;
  const beside = files.stat(cmd)?.type === 'file' ? files.read(cmd, MAX_SCRIPT_BYTES) : null;
  if (beside?.ok && fromDisk(beside.text) !== text) {
    problems.push({ file: cmd, line: null, message: `differs from ${file}, which is what U-Boot runs (was boot.cmd edited without running mkimage?)` });
  }
  return { file, prefix, text };
}

/** boot.cmd with no boot.scr made from it: what the script would do once it is. */
function unwrappedScript(files: SourceFiles, problems: ProblemSink): Script | null {
  for (const prefix of PREFIXES) {
    const file = `${prefix}boot.cmd`;
    if (files.stat(file)?.type !== 'file') continue;
    const read = files.read(file, MAX_SCRIPT_BYTES);
    if (!read.ok) {
      problems.push({ file, line: null, message: read.message });
      continue;
    }
    problems.push({ file, line: null, message: `U-Boot runs boot.scr, not boot.cmd, and there is no boot.scr: read as the script \`mkimage -T script -d ${file}\` would make` });
    return { file, prefix, text: fromDisk(read.text) };
  }
  return null;
}

function toEntries(files: SourceFiles, script: Script, boots: ScriptBoot[], problems: ProblemSink): ParsedEntry[] {
  return boots.map((boot, index) => {
    const where = { file: boot.file, line: boot.line };
    let initrd = boot.initrd;
    if (initrd !== null) {
      const usable = kexecInitrd(files, initrd);
      if ('problem' in usable) problems.push({ ...where, message: usable.problem });
      else initrd = usable.path;
    }
    const version = versionOf(files.canonical(boot.kernel) ?? boot.kernel);
    return {
      label: boundedLabel(`U-Boot script ${script.file}: ${boot.kernel}${version ? ` (${version})` : ''}`),
      kernel: { path: boot.kernel },
      initrd: initrd === null ? [] : [{ path: initrd }],
      dtb: boot.dtb === null ? null : { path: boot.dtb },
      fdtdir: null,
      overlays: boot.overlays.map((path) => ({ path, params: [] })),
      cmdline: boot.cmdline,
      isDefault: index === 0,
      origin: { format: 'uboot-script', file: boot.file, line: boot.line },
      version,
    };
  });
}

function versionOf(kernel: string): string | null {
  const base = kernel.slice(kernel.lastIndexOf('/') + 1);
  return /^(?:vmlinuz|vmlinux|Image|zImage|uImage)-(\d.*)$/.exec(base)?.[1] ?? null;
}
