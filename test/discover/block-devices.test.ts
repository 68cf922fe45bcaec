import { describe, expect, it } from 'vitest';
import { isScannable, mayHoldFilesystem, parseBlkidExport, parseLsblk } from '../../src/discover/block-devices.js';
import { readOnlyMountOptions } from '../../src/discover/mount.js';

// Recorded from `lsblk -J -b -o NAME,PATH,TYPE,FSTYPE,LABEL,UUID,PARTUUID,RM,HOTPLUG,SIZE,MOUNTPOINTS`
// in a qemu guest with a virtio disk and a USB stick (trimmed to the columns we read).
const LSBLK = {
  blockdevices: [
    { name: 'sda', path: '/dev/sda', type: 'disk', fstype: null, rm: true, hotplug: true, tran: 'usb', size: 67108864, mountpoints: [null],
      children: [{ name: 'sda1', path: '/dev/sda1', type: 'part', fstype: 'vfat', label: 'STICK', uuid: '1234-ABCD', partuuid: '0badcafe-01', rm: true, hotplug: true, size: 66060288, mountpoints: [null] }] },
    { name: 'vda', path: '/dev/vda', type: 'disk', fstype: null, rm: false, hotplug: false, size: 167772160, mountpoints: [null],
      children: [
        { name: 'vda1', path: '/dev/vda1', type: 'part', fstype: 'ext4', label: 'rootfs', uuid: 'u-1', partuuid: 'p-1', rm: false, hotplug: false, size: 100, mountpoints: ['/', '/srv'] },
        { name: 'vda2', path: '/dev/vda2', type: 'part', fstype: 'swap', rm: false, hotplug: false, size: 100, mountpoints: ['[SWAP]'] },
      ] },
    { name: 'mmcblk0', path: '/dev/mmcblk0', type: 'disk', fstype: null, rm: true, hotplug: false, size: 100, mountpoints: [null], tran: null,
      children: [{ name: 'mmcblk0p1', path: '/dev/mmcblk0p1', type: 'part', fstype: 'vfat', rm: true, hotplug: false, size: 100, mountpoints: [null] }] },
    { name: 'zram0', path: '/dev/zram0', type: 'disk', fstype: null, rm: false, hotplug: false, size: 0, mountpoints: [null] },
  ],
};

describe('parseLsblk', () => {
  const devices = parseLsblk(LSBLK);

  it('flattens the tree and inherits removability from the disk', () => {
    expect(devices.map((d) => d.name)).toEqual(['sda', 'sda1', 'vda', 'vda1', 'vda2', 'mmcblk0', 'mmcblk0p1', 'zram0']);
    const sda1 = devices.find((d) => d.name === 'sda1')!;
    expect(sda1).toMatchObject({ fstype: 'vfat', label: 'STICK', partuuid: '0badcafe-01', removable: true, size: 66060288, mountpoint: null });
    expect(devices.find((d) => d.name === 'vda1')).toMatchObject({ mountpoint: '/', removable: false });
    // The SD card in the board's slot says RM=1 but is the machine's own disk.
    expect(devices.find((d) => d.name === 'mmcblk0p1')).toMatchObject({ removable: false });
  });

  it('keeps partitions and childless disks, drops partitioned disks and zram', () => {
    expect(devices.filter(mayHoldFilesystem).map((d) => d.name)).toEqual(['sda1', 'vda1', 'vda2', 'mmcblk0p1']);
  });

  it("looks into known filesystems only, never kexmenu's own boot partition", () => {
    const sda1 = devices.find((d) => d.name === 'sda1')!;
    expect(isScannable(sda1)).toBe(true);
    expect(isScannable({ ...sda1, label: 'kexmenu' })).toBe(false);
    expect(isScannable(devices.find((d) => d.name === 'vda2')!)).toBe(false); // swap
  });

  it('survives output that is not what it expects', () => {
    expect(parseLsblk(null)).toEqual([]);
    expect(parseLsblk({ blockdevices: [{}] })).toEqual([]);
  });
});

describe('parseBlkidExport', () => {
  it('reads KEY=value lines with escaped spaces', () => {
    expect(parseBlkidExport('DEVNAME=/dev/loop0\nLABEL=my\\x20disk\nTYPE=ext4\n')).toEqual({ DEVNAME: '/dev/loop0', LABEL: 'my disk', TYPE: 'ext4' });
  });
});

describe('readOnlyMountOptions', () => {
  it('never lets a journal be replayed', () => {
    expect(readOnlyMountOptions('ext4')).toBe('ro,noload');
    expect(readOnlyMountOptions('ext3')).toBe('ro,noload');
    expect(readOnlyMountOptions('xfs')).toBe('ro,norecovery');
    expect(readOnlyMountOptions('btrfs')).toBe('ro,rescue=nologreplay');
    expect(readOnlyMountOptions('vfat')).toBe('ro');
  });
});
