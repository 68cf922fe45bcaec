// Which GRUB reads a config decides what a backslash outside quotes means. GNU GRUB (Debian,
// Ubuntu, Arch, SUSE) drops it and keeps the next character: `\x20` is `x20`. Red Hat's build
// (Fedora, RHEL, CentOS and their rebuilds, since RHEL 7; its commit "Pass \x[[:hex:]][[:hex:]]
// straight through unmolested") keeps a `\x` and two hex digits as written, because its install
// media write udev's escaping of a label into the kernel's command line
// (`inst.stage2=hd:LABEL=CentOS\x207\x20x86_64`) for dracut to decode.
//
// A config says which GRUB reads it by the commands it uses: only Red Hat's build has had
// `linuxefi`/`initrdefi` and `blscfg` in configs its tools write (SUSE's GRUB knows `linuxefi`
// too, but nothing SUSE writes holds an unquoted `\xHH`, the one place the two differ).
import type { EscapeDialect } from './grub-lexer.js';

const RED_HAT_COMMAND = /(?:^|[\s;{])(?:linuxefi|initrdefi|blscfg)(?=[\s;}]|$)/;

/** The dialect a config's own commands ask for. */
export function escapeDialectOf(text: string): EscapeDialect {
  return RED_HAT_COMMAND.test(text) ? 'redhat' : 'gnu';
}
