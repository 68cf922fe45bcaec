import { describe, expect, it } from 'vitest';
import { splitCmdline } from '../../src/boot/cmdline.js';
import { firmwareWords, firmwareWordsFor } from '../../src/boot/pi-firmware-args.js';
import { readMachine } from '../../src/platform/machine.js';
import { fixturePath } from '../helpers/golden.js';

const words = (text: string) => splitCmdline(text).kernel;
const rpi4Running = words(readMachine(fixturePath('machines', 'rpi4b')).cmdline);
const RPI4_FIRMWARE = [
  'coherent_pool=1M', '8250.nr_uarts=1', 'snd_bcm2835.enable_headphones=0', 'snd_bcm2835.enable_hdmi=1', 'snd_bcm2835.enable_hdmi=0',
  'smsc95xx.macaddr=DC:A6:32:12:34:56', 'vc_mem.mem_base=0x3ec00000', 'vc_mem.mem_size=0x40000000',
];
// The rpi4b fixture's menu cmdline.txt.
const MENU_CMDLINE = 'console=ttyS0,115200 console=tty1 root=PARTUUID=b1d8a1f2-02 rootfstype=ext4 fsck.repair=yes rootwait';

describe('firmwareWords', () => {
  it("takes what comes before the menu's own cmdline.txt, found among the Pi entries scanned", () => {
    const other = 'console=tty1 root=/dev/sda2 rootwait';
    expect(firmwareWords(rpi4Running, [words(other), words(MENU_CMDLINE)])).toEqual({ words: RPI4_FIRMWARE, found: 'before the menu cmdline.txt' });
  });

  it('keeps firmware words it has no name for, which the known names alone would stop at', () => {
    // Newer firmware, with KMS: a video= mode, and a word this kexmenu has never heard of.
    const running = words(`coherent_pool=1M 8250.nr_uarts=0 firmware.newer=1 video=HDMI-A-1:1920x1080M@60 vc_mem.mem_base=0x3ec00000 ${MENU_CMDLINE}`);
    expect(firmwareWords(running, [words(MENU_CMDLINE)]).words).toEqual([
      'coherent_pool=1M', '8250.nr_uarts=0', 'firmware.newer=1', 'video=HDMI-A-1:1920x1080M@60', 'vc_mem.mem_base=0x3ec00000',
    ]);
    // Without the menu's cmdline.txt only the leading run of known names is the firmware's.
    expect(firmwareWords(running, []).words).toEqual(['coherent_pool=1M', '8250.nr_uarts=0']);
  });

  it("does not take a menu cmdline.txt word for the firmware's, even one of a name the firmware writes", () => {
    const menu = `coherent_pool=2M ${MENU_CMDLINE} nr_cpus=1`;
    const running = words(`vc_mem.mem_base=0x3ec00000 ${menu}`);
    expect(firmwareWords(running, [words(menu)])).toEqual({ words: ['vc_mem.mem_base=0x3ec00000'], found: 'before the menu cmdline.txt' });
  });

  it('takes the longest cmdline.txt the running line ends with, and never a CPU limit', () => {
    const running = words(`vc_mem.mem_size=0x40000000 nr_cpus=1 quiet ${MENU_CMDLINE}`);
    expect(firmwareWords(running, [words(MENU_CMDLINE), words(`quiet ${MENU_CMDLINE}`)]).words).toEqual(['vc_mem.mem_size=0x40000000']);
  });

  it('finds none on a menu kernel the firmware did not start (QEMU, U-Boot)', () => {
    expect(firmwareWords(words('console=ttyS1 nr_cpus=1 kexmenu.timeout=-1'), [words(MENU_CMDLINE)])).toEqual({ words: [], found: 'by name' });
    // A cmdline.txt that is the whole running line leaves nothing for the firmware.
    expect(firmwareWords(words(MENU_CMDLINE), [words(MENU_CMDLINE)]).words).toEqual([]);
  });
});

describe('firmwareWordsFor', () => {
  it("puts the entry's own config.txt decision in place of the running word, and adds none the firmware did not write", () => {
    expect(firmwareWordsFor(RPI4_FIRMWARE, ['8250.nr_uarts=0'], new Set())).toEqual(RPI4_FIRMWARE.map((w) => (w === '8250.nr_uarts=1' ? '8250.nr_uarts=0' : w)));
    expect(firmwareWordsFor([], ['8250.nr_uarts=0'], new Set())).toEqual([]);
  });

  it("leaves out what the entry's command line sets itself", () => {
    expect(firmwareWordsFor(['coherent_pool=1M', 'vc_mem.mem_base=0x3ec00000'], [], new Set(['coherent_pool']))).toEqual(['vc_mem.mem_base=0x3ec00000']);
  });
});
