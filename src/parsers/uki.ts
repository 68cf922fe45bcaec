// Boot Loader Specification type #2: unified kernel images in /EFI/Linux/*.efi on the ESP or the
// XBOOTLDR partition, one entry per image (per profile of a multi-profile image). The title is
// os-release's PRETTY_NAME, the version .uname (else VERSION_ID), the command line .cmdline.
// https://uapi-group.org/specifications/specs/boot_loader_specification/#type-2-efi-unified-kernel-images
import { DEFAULT_BLS_DIRS } from './bls.js';
import { globMatches, parseLoaderConf } from './bls-loader-conf.js';
import { compareVersions } from './bls-version.js';
import { boundedLabel } from './label.js';
import { ProblemLog } from './problems.js';
import type { ParseContext, ParsedEntry, ParseResult } from './types.js';
import { readUki, type UkiProfile } from './uki-image.js';

/** The ESP or XBOOTLDR partition's own directory, and where a root filesystem mounts them. */
export const UKI_DIRS = ['/EFI/Linux', '/boot/EFI/Linux', '/boot/efi/EFI/Linux', '/efi/EFI/Linux'];

/** Images beyond this are not read: each costs a few reads, and no ESP holds this many kernels. */
const MAX_IMAGES = 64;

export function parseUki(ctx: ParseContext): ParseResult {
  const problems = new ProblemLog();
  const images: Array<{ file: string; name: string }> = [];
  for (const dir of UKI_DIRS) {
    const names = ctx.files.list(dir)?.filter((n) => n.toLowerCase().endsWith('.efi') && !n.startsWith('.'));
    if (!names) continue;
    if (names.length > MAX_IMAGES) problems.push({ file: dir, line: null, message: `${names.length} images; only the first ${MAX_IMAGES} are read` });
    for (const name of names.slice(0, MAX_IMAGES)) images.push({ file: `${dir}/${name}`, name });
  }
  // Newest first, as for type #1 entries without a sort-key: by file name, decreasing version.
  images.sort((a, b) => compareVersions(stem(b.name), stem(a.name)));
  const entries: ParsedEntry[] = [];
  for (const { file, name } of images) {
    const profiles = readUki(ctx.files, file);
    if (typeof profiles === 'string') {
      problems.push({ file, line: null, message: `not a unified kernel image: ${profiles}` });
      continue;
    }
    for (const profile of profiles) entries.push(toEntry(file, name, profile));
  }
  const chosen = defaultImage(ctx, entries);
  return { entries: entries.map((e) => ({ ...e, isDefault: e === chosen })), problems: problems.list() };
}

/**
 * loader.conf's `default` glob, matched against file names as systemd-boot matches entry ids;
 * without one, the newest image, unless type #1 entries are there to hold the default.
 */
function defaultImage(ctx: ParseContext, entries: ParsedEntry[]): ParsedEntry | null {
  const conf = ctx.files.read('/loader/loader.conf');
  const pattern = conf.ok ? parseLoaderConf(conf.text).default : null;
  const name = (e: ParsedEntry) => e.kernel.path.slice(e.kernel.path.lastIndexOf('/') + 1);
  if (pattern !== null) return entries.find((e) => globMatches(pattern, name(e)) || globMatches(pattern, stem(name(e)))) ?? null;
  const typeOne = DEFAULT_BLS_DIRS.some((dir) => ctx.files.list(dir)?.some((n) => n.endsWith('.conf')));
  return typeOne ? null : (entries[0] ?? null);
}

const stem = (name: string) => name.replace(/\.efi$/i, '');

function toEntry(file: string, name: string, profile: UkiProfile): ParsedEntry {
  const os = profile.osRelease;
  const title = os.get('PRETTY_NAME') || os.get('NAME') || os.get('ID') || stem(name);
  const version = profile.uname ?? (os.get('VERSION_ID') || os.get('IMAGE_VERSION') || null);
  const profileName = profile.index === null ? null : (profile.title ?? profile.id ?? `profile @${profile.index}`);
  return {
    label: boundedLabel(`${title}${version ? ` (${version})` : ''}${profileName ? `: ${profileName}` : ''}`),
    kernel: { path: file },
    initrd: [],
    dtb: null,
    fdtdir: null,
    overlays: [],
    cmdline: profile.cmdline ?? '',
    inside: profile.parts,
    isDefault: false,
    origin: { format: 'uki', file, line: null },
    version,
  };
}
