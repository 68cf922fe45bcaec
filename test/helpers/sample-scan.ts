// Small hand-made ScanResults for the reducer and component tests.
import type { BootEntry, BootSource, ScanResult } from '../../src/model.js';

export function source(id: string, over: Partial<BootSource> = {}): BootSource {
  return { id, root: `/run/kexmenu/${id}`, device: `/dev/${id}`, fstype: 'ext4', label: null, uuid: null, partuuid: null, removable: false, size: 32e9, ...over };
}

export function entry(id: string, label: string, over: Partial<BootEntry> = {}): BootEntry {
  const src = over.source ?? id.split(':')[0]!;
  return {
    id, label, source: src, kernel: `/run/kexmenu/${src}/boot/vmlinuz`, initrd: [`/run/kexmenu/${src}/boot/initrd.img`],
    dtb: null, dtbReason: null, overlays: [], dtparams: [], firmwareArgs: [], inside: null, notLinux: null, cmdline: 'root=/dev/sda1 ro quiet', default: false, kind: 'config',
    origin: { format: 'grub', file: `/run/kexmenu/${src}/boot/grub/grub.cfg`, line: 1 }, arch: 'x86_64', version: null, ...over,
  };
}

/** Two disks: sda1 (Debian, default) and sdb1 (a USB stick), plus one kernel found by name. */
export function twoDisks(): ScanResult {
  return {
    sources: [source('sda1', { label: 'debian' }), source('sdb1', { label: 'LIVE', removable: true, fstype: 'vfat', size: 8e9 })],
    entries: [
      entry('sda1:grub:0', 'Debian GNU/Linux', { default: true }),
      entry('sda1:grub:1', 'Debian GNU/Linux (recovery mode)', { cmdline: 'root=/dev/sda1 ro single' }),
      entry('sdb1:extlinux:0', 'Live system', { origin: { format: 'extlinux', file: '/x', line: 1 } }),
      entry('sda1:raw:0', 'vmlinuz-6.1.0-26-amd64', { kind: 'other' }),
    ],
    problems: [
      { source: 'sda1', file: '/run/kexmenu/sda1/boot/grub/grub.cfg', line: 7, message: 'initrd not found: /initrd.img-6.1' },
      { source: 'sdb1', file: null, line: null, message: 'no boot config' },
    ],
    config: null,
  };
}

export function withUsbDefault(scan: ScanResult): ScanResult {
  return {
    sources: [...scan.sources, source('sdc1', { label: 'RESCUE', removable: true })],
    entries: [...scan.entries, entry('sdc1:extlinux:0', 'Rescue stick', { default: true })],
    problems: scan.problems,
    config: scan.config,
  };
}
