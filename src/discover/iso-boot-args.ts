// A live or installer system booted from an ISO file must be told where that file is, or its
// initramfs looks for the CD it came from and gives up. Each distribution has its own word for
// it, which its command line tells apart.
import { argName, splitCmdline } from '../boot/cmdline.js';

export interface IsoLocation {
  /** The image's path on the partition that holds it, from that partition's root. */
  path: string;
  /** That partition's filesystem UUID and label, when it has them. */
  uuid: string | null;
  label: string | null;
}

interface Convention {
  /** The system's initramfs, as its own command line shows it. */
  applies: (names: Set<string>, words: string[]) => boolean;
  /** A word that, when already there, means the config knows where the image is (a loopback.cfg). */
  given: string[];
  words: (iso: IsoLocation) => string[] | null;
}

const CONVENTIONS: Convention[] = [
  // Debian live-boot: boot=live ... findiso=/path/to.iso
  { applies: (_, w) => w.includes('boot=live'), given: ['findiso'], words: (iso) => [`findiso=${iso.path}`] },
  // Ubuntu's casper, and dracut's iso-scan (Fedora, RHEL live media: root=live:..., rd.live.image)
  {
    applies: (n, w) => w.includes('boot=casper') || n.has('rd.live.image') || w.some((x) => x.startsWith('root=live:')),
    given: ['iso_scan/filename'],
    words: (iso) => [`iso-scan/filename=${iso.path}`],
  },
  // Arch's archiso: the partition by UUID (or label), then the file on it.
  {
    applies: (n) => n.has('archisobasedir') || n.has('archisolabel') || n.has('archisosearchuuid'),
    given: ['img_loop'],
    words: (iso) => {
      const device = iso.uuid ? `/dev/disk/by-uuid/${iso.uuid}` : iso.label ? `/dev/disk/by-label/${udevEncoded(iso.label)}` : null;
      return device ? [`img_dev=${device}`, `img_loop=${iso.path}`] : null;
    },
  },
];

/** A label as udev names its /dev/disk/by-label link: other than [A-Za-z0-9#+-.:=@_] as \xHH. */
function udevEncoded(label: string): string {
  return [...new TextEncoder().encode(label)].map((b) => (/[A-Za-z0-9#+\-.:=@_]/.test(String.fromCharCode(b)) && b < 0x80 ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join('');
}

/**
 * The words to add to an ISO entry's command line so its system finds the image; [] when the line
 * already says, or when no convention kexmenu knows fits (`known` false: then the booted system
 * may not find its files).
 */
export function isoBootArgs(cmdline: string, iso: IsoLocation): { words: string[]; known: boolean } {
  const words = splitCmdline(cmdline).kernel;
  const names = new Set(words.map(argName));
  const convention = CONVENTIONS.find((c) => c.applies(names, words));
  if (!convention) return { words: [], known: false };
  if (convention.given.some((name) => names.has(name))) return { words: [], known: true };
  // The initramfs scripts split the command line at blanks and do not read quotes.
  const added = /[\s"]/.test(iso.path) ? null : convention.words(iso);
  return added ? { words: added, known: true } : { words: [], known: false };
}
