import { describe, expect, it } from 'vitest';
import { isoBootArgs } from '../../src/discover/iso-boot-args.js';

const iso = { path: '/isos/debian-live.iso', uuid: '4B4D-5553', label: 'KEXUSB' };

describe('isoBootArgs', () => {
  it.each([
    ['Debian live-boot', 'boot=live components quiet splash', ['findiso=/isos/debian-live.iso']],
    ['Ubuntu casper', 'boot=casper quiet splash ---', ['iso-scan/filename=/isos/debian-live.iso']],
    ['Fedora live (dracut)', 'root=live:CDLABEL=Fedora-WS-Live-40 rd.live.image quiet', ['iso-scan/filename=/isos/debian-live.iso']],
    ['Arch archiso', 'archisobasedir=arch archisosearchuuid=2024-01-01-00-00-00-00', ['img_dev=/dev/disk/by-uuid/4B4D-5553', 'img_loop=/isos/debian-live.iso']],
  ])("tells %s where its image is", (_what, cmdline, words) => {
    expect(isoBootArgs(cmdline, iso)).toEqual({ words, known: true });
  });

  it('adds nothing when the config already says (a loopback.cfg), and says when no convention fits', () => {
    expect(isoBootArgs('boot=live findiso=/x.iso', iso)).toEqual({ words: [], known: true });
    expect(isoBootArgs('boot=casper iso-scan/filename=/x.iso', iso)).toEqual({ words: [], known: true });
    expect(isoBootArgs('root=/dev/sda1 ro', iso)).toEqual({ words: [], known: false });
    // Arch by label when the partition has no UUID; with neither, no way to name it.
    expect(isoBootArgs('archisobasedir=arch', { ...iso, uuid: null }).words).toEqual(['img_dev=/dev/disk/by-label/KEXUSB', 'img_loop=/isos/debian-live.iso']);
    expect(isoBootArgs('archisobasedir=arch', { ...iso, uuid: null, label: null })).toEqual({ words: [], known: false });
  });

  it('gives up on a path with blanks or quotes (initramfs scripts split at blanks), and names a label as udev does', () => {
    expect(isoBootArgs('boot=live', { ...iso, path: '/ISOs/Debian Live.iso' })).toEqual({ words: [], known: false });
    expect(isoBootArgs('boot=live', { ...iso, path: '/a"b.iso' })).toEqual({ words: [], known: false });
    expect(isoBootArgs('archisobasedir=arch', { ...iso, uuid: null, label: 'My Stick' }).words).toEqual(['img_dev=/dev/disk/by-label/My\\x20Stick', 'img_loop=/isos/debian-live.iso']);
  });
});
