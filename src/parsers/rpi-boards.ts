// Raspberry Pi boards as the firmware sees them: which config.txt model filters a board matches,
// which kernel file names it loads by default, and which DTB file it picks. Read from the
// running board's device tree `compatible`.

export interface PiBoard {
  /** The `compatible` string (or SoC) that identified it. */
  id: string;
  /** Model filters whose sections apply on this board (`[pi3+]` boards also see `[pi3]`). */
  filters: string[];
  /** Default kernel names in 64-bit mode, in the order the firmware tries them; empty when it cannot run 64-bit. */
  kernels64: string[];
  /** Default kernel names in 32-bit mode; empty when it cannot run 32-bit (Pi 5). */
  kernels32: string[];
  /** What the firmware assumes when config.txt does not set arm_64bit. */
  default64: boolean;
  /** DTB names the Raspberry Pi firmware uses for this board (downstream kernel names), preferred first. */
  dtbs: string[];
  /** The same board's DTB names in the upstream kernel (what Debian's raspi-firmware installs). */
  upstreamDtbs: string[];
  /**
   * Bluetooth has the PL011, so the serial console is the mini UART, which `enable_uart` switches
   * (off by default) and the firmware tells the kernel of with `8250.nr_uarts=`.
   */
  miniUartConsole: boolean;
}

type Family = 'pi1' | 'pi0' | 'pi2' | 'pi3' | 'pi4' | 'pi5';

const FAMILY: Record<Family, Pick<PiBoard, 'kernels64' | 'kernels32' | 'default64'>> = {
  pi1: { kernels64: [], kernels32: ['kernel.img'], default64: false },
  pi0: { kernels64: [], kernels32: ['kernel.img'], default64: false },
  pi2: { kernels64: ['kernel8.img'], kernels32: ['kernel7.img'], default64: false },
  pi3: { kernels64: ['kernel8.img'], kernels32: ['kernel7.img'], default64: false },
  pi4: { kernels64: ['kernel8.img'], kernels32: ['kernel7l.img'], default64: true },
  // Pi 5 runs 64-bit only; kernel_2712.img is the 16K-page kernel, kernel8.img the fallback.
  pi5: { kernels64: ['kernel_2712.img', 'kernel8.img'], kernels32: [], default64: true },
};

function board(id: string, family: Family, filters: string[], dtbs: string[], upstreamDtbs: string[], miniUartConsole = false): PiBoard {
  return { id, filters, ...FAMILY[family], dtbs, upstreamDtbs, miniUartConsole };
}

/** A board with Bluetooth on the PL011 (module boards and the Pi 5 have none, or another UART). */
const WITH_BT = true;

const BOARDS: PiBoard[] = [
  board('raspberrypi,5-model-b', 'pi5', ['pi5'], ['bcm2712-rpi-5-b.dtb', 'bcm2712d0-rpi-5-b.dtb'], ['bcm2712-rpi-5-b.dtb']),
  board('raspberrypi,500', 'pi5', ['pi5', 'pi500'], ['bcm2712-rpi-500.dtb'], []),
  board('raspberrypi,5-compute-module', 'pi5', ['pi5', 'cm5'], ['bcm2712-rpi-cm5-cm5io.dtb'], []),
  board('raspberrypi,4-model-b', 'pi4', ['pi4'], ['bcm2711-rpi-4-b.dtb'], ['bcm2711-rpi-4-b.dtb'], WITH_BT),
  board('raspberrypi,400', 'pi4', ['pi4', 'pi400'], ['bcm2711-rpi-400.dtb'], ['bcm2711-rpi-400.dtb'], WITH_BT),
  board('raspberrypi,4-compute-module', 'pi4', ['pi4', 'cm4'], ['bcm2711-rpi-cm4.dtb'], ['bcm2711-rpi-cm4-io.dtb']),
  board('raspberrypi,4-compute-module-s', 'pi4', ['pi4', 'cm4s'], ['bcm2711-rpi-cm4s.dtb'], []),
  board('raspberrypi,3-model-b-plus', 'pi3', ['pi3', 'pi3+'], ['bcm2710-rpi-3-b-plus.dtb'], ['bcm2837-rpi-3-b-plus.dtb'], WITH_BT),
  board('raspberrypi,3-model-a-plus', 'pi3', ['pi3', 'pi3+'], ['bcm2710-rpi-3-b-plus.dtb'], ['bcm2837-rpi-3-a-plus.dtb'], WITH_BT),
  board('raspberrypi,3-model-b', 'pi3', ['pi3'], ['bcm2710-rpi-3-b.dtb'], ['bcm2837-rpi-3-b.dtb'], WITH_BT),
  board('raspberrypi,3-compute-module', 'pi3', ['pi3'], ['bcm2710-rpi-cm3.dtb'], ['bcm2837-rpi-cm3-io3.dtb']),
  board('raspberrypi,model-zero-2-w', 'pi3', ['pi0', 'pi0w', 'pi02'], ['bcm2710-rpi-zero-2-w.dtb', 'bcm2710-rpi-zero-2.dtb'], ['bcm2837-rpi-zero-2-w.dtb'], WITH_BT),
  board('raspberrypi,2-model-b', 'pi2', ['pi2'], ['bcm2709-rpi-2-b.dtb', 'bcm2710-rpi-2-b.dtb'], ['bcm2836-rpi-2-b.dtb']),
  board('raspberrypi,model-zero-w', 'pi0', ['pi0', 'pi0w'], ['bcm2708-rpi-zero-w.dtb'], ['bcm2835-rpi-zero-w.dtb'], WITH_BT),
  board('raspberrypi,model-zero', 'pi0', ['pi0'], ['bcm2708-rpi-zero.dtb'], ['bcm2835-rpi-zero.dtb']),
  board('raspberrypi,model-b-plus', 'pi1', ['pi1'], ['bcm2708-rpi-b-plus.dtb'], ['bcm2835-rpi-b-plus.dtb']),
  board('raspberrypi,model-b', 'pi1', ['pi1'], ['bcm2708-rpi-b.dtb'], ['bcm2835-rpi-b.dtb']),
];

/** A board we only know by its SoC: the family's filters and kernels, but no DTB name. */
const SOCS: Array<[soc: string, family: Family, filter: string]> = [
  ['brcm,bcm2712', 'pi5', 'pi5'],
  ['brcm,bcm2711', 'pi4', 'pi4'],
  ['brcm,bcm2837', 'pi3', 'pi3'],
  ['brcm,bcm2836', 'pi2', 'pi2'],
  ['brcm,bcm2835', 'pi1', 'pi1'],
];

/** Every model filter name the firmware knows; other `[...]` filters test things we cannot see. */
export const MODEL_FILTERS: ReadonlySet<string> = new Set([
  'pi1', 'pi2', 'pi3', 'pi3+', 'pi4', 'pi400', 'cm4', 'cm4s', 'pi0', 'pi0w', 'pi02', 'pi5', 'pi500', 'cm5',
]);

/** The Raspberry Pi board a `compatible` list (most specific first) describes; null off a Pi. */
export function identifyPiBoard(compatible: readonly string[]): PiBoard | null {
  for (const c of compatible) {
    const known = BOARDS.find((b) => b.id === c);
    if (known) return known;
  }
  for (const c of compatible) {
    const soc = SOCS.find(([name]) => name === c);
    if (soc) return board(c, soc[1], [soc[2]], [], []);
  }
  return null;
}
