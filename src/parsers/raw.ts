// Kernels found by file name alone, for disks whose boot config we cannot read (or that have
// none). Looks only in /, /boot and /boot/firmware, never deeper, and pairs each kernel with the
// initramfs its distribution's naming gives it. Symlinks (/vmlinuz -> boot/vmlinuz-6.1,
// vmlinuz.old) are followed and listed once, under the real file's name.
import { boundedLabel } from './label.js';
import { ProblemLog } from './problems.js';
import type { FileRef, ParsedEntry, Parser, SourceFiles } from './types.js';

const DIRS = ['/', '/boot', '/boot/firmware'];
/** Names looked at per directory; a boot directory with more than this is not a boot directory. */
const MAX_NAMES = 10_000;
/** Kernels listed per directory (a real /boot keeps a handful); each costs a few lookups. */
const MAX_KERNELS = 256;

export interface KernelName {
  /** Kernel release when the name carries one ("6.1.0-27-amd64"); null for "linux", "lts", bare names. */
  version: string | null;
  /** Initramfs names to try, in order; the first that exists is used. */
  initrds: string[];
  /** An extra entry with this initramfs when it exists (Arch's fallback image). */
  fallbackInitrd: string | null;
}

const PI_FIRMWARE_KERNELS: Record<string, string> = {
  'kernel.img': 'initramfs',
  'kernel7.img': 'initramfs7',
  'kernel7l.img': 'initramfs7l',
  'kernel8.img': 'initramfs8',
  'kernel_2712.img': 'initramfs_2712',
};
const BARE_KERNELS = new Set(['vmlinuz', 'vmlinux', 'bzImage', 'zImage', 'Image', 'Image.gz']);
const BARE_INITRDS = ['initrd.img', 'initrd', 'initramfs.img', 'initramfs', 'initrd.gz'];
/** Suffixes of files that sit beside kernels but are not kernels (signatures, backups, EFI copies). */
const NOT_A_KERNEL = /\.(sig|hmac|asc|bak|dpkg-\w+|rpmsave|rpmnew|efi|efi\.signed|sha256|old)$/;

/**
 * What a file name says about a kernel, or null when the name is not a kernel's.
 * `piConfigHere`: a config.txt sits in the same directory, so kernel*.img belong to the Pi
 * firmware parser (it knows which one this board loads); without one they are listed here.
 */
export function classifyKernelName(name: string, piConfigHere = false): KernelName | null {
  if (name === 'vmlinuz.old' || name === 'vmlinux.old') return { version: null, initrds: ['initrd.img.old'], fallbackInitrd: null };
  if (NOT_A_KERNEL.test(name)) return null;
  if (BARE_KERNELS.has(name)) return { version: null, initrds: BARE_INITRDS, fallbackInitrd: null };
  const pi = PI_FIRMWARE_KERNELS[name];
  if (pi) return piConfigHere ? null : { version: null, initrds: [pi], fallbackInitrd: null };

  let m = /^kernel-genkernel-([\w]+)-(\d[\w.+~-]*)$/.exec(name);
  if (m) return { version: m[2]!, initrds: [`initramfs-genkernel-${m[1]}-${m[2]}`, `initramfs-genkernel-${m[1]}-${m[2]}.img`], fallbackInitrd: null };
  m = /^(?:vmlinuz|vmlinux|kernel)-([\w.+~-]+)$/.exec(name);
  if (m) {
    const x = m[1]!;
    // SUSE keeps a gzipped debug vmlinux-V.gz beside the bootable vmlinuz-V.
    if (name.startsWith('vmlinux-') && x.endsWith('.gz')) return null;
    // "kernel-…" is Gentoo's installkernel naming, which always carries a version.
    if (name.startsWith('kernel-') && !/^\d/.test(x)) return null;
    return {
      version: /^\d/.test(x) && !x.startsWith('0-rescue-') ? x : null,
      initrds: [`initrd.img-${x}`, `initramfs-${x}.img`, `initrd-${x}`, `initramfs-${x}`, `initrd-${x}.img`],
      fallbackInitrd: `initramfs-${x}-fallback.img`,
    };
  }
  m = /^(?:Image|zImage|bzImage)-(\d[\w.+~-]*)$/.exec(name);
  if (m) return { version: m[1]!, initrds: [`initrd-${m[1]}`, `initrd.img-${m[1]}`, `initramfs-${m[1]}.img`], fallbackInitrd: null };
  return null;
}

/** Orders kernel releases the way people read them: 6.10 after 6.9, 6.1.0-27 after 6.1.0-9. */
export function compareKernelVersions(a: string, b: string): number {
  const chunks = (s: string) => s.match(/\d+|[^\d.+~_-]+/g) ?? [];
  const x = chunks(a);
  const y = chunks(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const p = x[i];
    const q = y[i];
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    const pn = /^\d/.test(p);
    const qn = /^\d/.test(q);
    if (pn && qn) {
      const d = BigInt(p) - BigInt(q);
      if (d !== 0n) return d < 0n ? -1 : 1;
    } else if (pn !== qn) {
      return pn ? 1 : -1; // "6.1.0-27" is newer than "6.1.0-rc7"
    } else if (p !== q) {
      return p < q ? -1 : 1;
    }
  }
  return 0;
}

interface Found {
  dir: string;
  name: string;
  path: string;
  canonical: string;
  naming: KernelName;
  order: number;
}

export const parseRaw: Parser = (ctx) => {
  const problems = new ProblemLog();
  const byCanonical = new Map<string, Found>();
  const seenDirs = new Set<string>();
  let order = 0;

  for (const dir of DIRS) {
    const canonicalDir = ctx.files.canonical(dir);
    if (!canonicalDir || seenDirs.has(canonicalDir)) continue;
    seenDirs.add(canonicalDir);
    let names = ctx.files.list(dir);
    if (!names) continue;
    if (names.length > MAX_NAMES) {
      problems.push({ file: dir, line: null, message: `${names.length} files in ${dir}: looked only at the first ${MAX_NAMES}` });
      names = names.slice(0, MAX_NAMES);
    }
    const piConfigHere = names.includes('config.txt');
    const named = names.flatMap((name) => {
      const naming = classifyKernelName(name, piConfigHere);
      return naming ? [{ name, naming }] : [];
    });
    if (named.length > MAX_KERNELS) {
      problems.push({ file: dir, line: null, message: `${named.length} kernels by file name in ${dir}: only the ${MAX_KERNELS} newest are listed` });
      named.sort((a, b) => compareKernelVersions(b.naming.version ?? '', a.naming.version ?? ''));
      named.length = MAX_KERNELS;
    }
    for (const { name, naming } of named) {
      const path = join(dir, name);
      if (ctx.files.stat(path)?.type !== 'file') continue;
      const canonical = ctx.files.canonical(path);
      if (!canonical) continue;
      const found: Found = { dir, name, path, canonical, naming, order: order++ };
      const earlier = byCanonical.get(canonical);
      // The real file's own name says most (vmlinuz-6.1.0-27-amd64 rather than vmlinuz or vmlinuz.old).
      if (!earlier || (earlier.path !== canonical && path === canonical)) byCanonical.set(canonical, found);
    }
  }

  const kernels = [...byCanonical.values()].map((f) => withLinkTargetNaming(ctx.files, f));
  kernels.sort((a, b) => {
    const va = a.naming.version;
    const vb = b.naming.version;
    if (va && vb) return compareKernelVersions(vb, va) || a.order - b.order;
    if (va || vb) return va ? -1 : 1;
    return a.order - b.order;
  });

  const entries: ParsedEntry[] = [];
  for (const k of kernels) {
    const initrd = firstExisting(ctx.files, k.dir, k.naming.initrds);
    const label = boundedLabel(`Linux${k.naming.version ? ` ${k.naming.version}` : ''} (${k.name})`);
    entries.push(entry(label, k, initrd ? [initrd] : []));
    const fallback = k.naming.fallbackInitrd ? firstExisting(ctx.files, k.dir, [k.naming.fallbackInitrd]) : null;
    if (fallback) entries.push(entry(`${label} (fallback initramfs)`, k, [fallback]));
  }
  return { entries, problems: problems.list() };
};

/** A symlink listed on its own (its target is elsewhere): name and initramfs come from the target. */
function withLinkTargetNaming(files: SourceFiles, f: Found): Found {
  if (f.path === f.canonical) return f;
  const slash = f.canonical.lastIndexOf('/');
  const dir = f.canonical.slice(0, slash) || '/';
  const name = f.canonical.slice(slash + 1);
  const naming = classifyKernelName(name);
  if (!naming || naming.version === null) return f;
  // Keep the initramfs next to the link when the target's naming finds none beside the target.
  return firstExisting(files, dir, naming.initrds) ? { ...f, dir, name, naming } : { ...f, naming: { ...naming, initrds: f.naming.initrds } };
}

function entry(label: string, k: Found, initrd: FileRef[]): ParsedEntry {
  return {
    label,
    kernel: { path: k.canonical },
    initrd,
    dtb: null,
    fdtdir: null,
    overlays: [],
    cmdline: '',
    isDefault: false,
    origin: { format: 'raw', file: k.canonical, line: null },
    version: k.naming.version,
  };
}

function firstExisting(files: SourceFiles, dir: string, names: string[]): FileRef | null {
  for (const name of names) {
    const path = join(dir, name);
    if (files.stat(path)?.type !== 'file') continue;
    const canonical = files.canonical(path);
    if (canonical) return { path: canonical };
  }
  return null;
}

function join(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}
