// What a unified kernel image (UKI) holds, read from its PE sections: the kernel, the initrds, the
// device tree, the command line, os-release and uname, for the base and for each profile.
// https://uapi-group.org/specifications/specs/unified_kernel_image/
import type { InnerFile, InsideParts } from '../model.js';
import { PE_HEAD_BYTES, readPeSections, type PeSection } from '../platform/pe.js';
import type { SourceFiles } from './types.js';

/** One bootable configuration of a UKI: the base one, or a profile (@0, @1, ...) over the base. */
export interface UkiProfile {
  /** null for a UKI without profiles. */
  index: number | null;
  /** The profile's ID= and TITLE= (.profile), when it has them. */
  id: string | null;
  title: string | null;
  parts: InsideParts;
  cmdline: string | null;
  osRelease: Map<string, string>;
  uname: string | null;
}

const MAX_TEXT_SECTION = 64 * 1024;
const MAX_PROFILES = 16;
/** Sections that only one of each may apply (all but .dtb). */
const PAYLOAD = ['.linux', '.initrd', '.ucode', '.dtb', '.cmdline', '.osrel', '.uname'];

/** The profiles of the UKI at `path` (one, the base, when it defines none), or why it is none. */
export function readUki(files: SourceFiles, path: string): UkiProfile[] | string {
  const size = files.stat(path)?.size ?? 0;
  const head = files.readBytes(path, 0, PE_HEAD_BYTES);
  if (!head) return 'cannot be read';
  const image = readPeSections(head, size);
  if (typeof image === 'string') return image;
  const groups = splitProfiles(image.sections);
  if (groups.profiles.length > MAX_PROFILES) return `defines ${groups.profiles.length} profiles (at most ${MAX_PROFILES} are read)`;
  const text = (section: PeSection | undefined): { ok: true; text: string | null } | { ok: false; message: string } => {
    if (!section) return { ok: true, text: null };
    if (section.size > MAX_TEXT_SECTION) return { ok: false, message: `section ${section.name} is ${section.size} bytes (at most ${MAX_TEXT_SECTION} are read)` };
    const bytes = files.readBytes(path, section.offset, section.size);
    return bytes ? { ok: true, text: new TextDecoder().decode(bytes).replace(/\0+$/, '') } : { ok: false, message: `section ${section.name} cannot be read` };
  };
  const profiles = groups.profiles.length === 0 ? [{ meta: undefined, sections: groups.base }] : groups.profiles.map((p) => ({ meta: p.meta, sections: overBase(groups.base, p.sections) }));
  const read: UkiProfile[] = [];
  for (const [i, profile] of profiles.entries()) {
    const named = (name: string) => profile.sections.filter((s) => s.name === name);
    const linux = named('.linux')[0];
    if (!linux || linux.size === 0) return groups.profiles.length === 0 ? 'has no .linux section: it is no unified kernel image' : `profile @${i} has no .linux section`;
    const texts = [text(named('.cmdline')[0]), text(named('.osrel')[0]), text(named('.uname')[0]), text(profile.meta)];
    const [cmdline, osrel, uname, meta] = texts.map((t) => (t.ok ? t.text : null));
    const failed = texts.find((t) => !t.ok);
    if (failed && !failed.ok) return failed.message;
    const profileFields = parseOsRelease(meta ?? '');
    read.push({
      index: groups.profiles.length === 0 ? null : i,
      id: profileFields.get('ID') ?? null,
      title: profileFields.get('TITLE') ?? null,
      parts: {
        linux: range(linux),
        // The microcode goes to the kernel before any other initrd.
        initrds: [...named('.ucode'), ...named('.initrd')].filter((s) => s.size > 0).map(range),
        dtb: named('.dtb').map(range)[0] ?? null,
      },
      cmdline: cmdline ? cmdline.trim() : null,
      osRelease: parseOsRelease(osrel ?? ''),
      uname: uname?.trim() || null,
    });
  }
  return read;
}

const range = (s: PeSection): InnerFile => ({ name: s.name, offset: s.offset, size: s.size });

function splitProfiles(sections: PeSection[]): { base: PeSection[]; profiles: Array<{ meta: PeSection; sections: PeSection[] }> } {
  const base: PeSection[] = [];
  const profiles: Array<{ meta: PeSection; sections: PeSection[] }> = [];
  for (const section of sections) {
    if (section.name === '.profile') profiles.push({ meta: section, sections: [] });
    else (profiles.at(-1)?.sections ?? base).push(section);
  }
  return { base, profiles };
}

/** A profile's sections comprehensively override the base's of the same name. */
function overBase(base: PeSection[], own: PeSection[]): PeSection[] {
  const overridden = new Set(own.map((s) => s.name));
  return [...own, ...base.filter((s) => PAYLOAD.includes(s.name) && !overridden.has(s.name))];
}

/** os-release (and .profile) text: KEY=value lines, values optionally quoted, # comments. */
export function parseOsRelease(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!match) continue;
    fields.set(match[1]!, unquote(match[2]!.trim()));
  }
  return fields;
}

function unquote(value: string): string {
  const quote = value[0];
  if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
    const inner = value.slice(1, -1);
    return quote === '"' ? inner.replace(/\\([\\"$`])/g, '$1') : inner;
  }
  return value;
}
