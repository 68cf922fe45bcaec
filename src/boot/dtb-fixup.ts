// A DTB from disk next to the firmware's: what the planner needs to know about it, and the copy
// with the firmware's RAM ranges that the loader writes when the disk's tree leaves memory empty
// (upstream Raspberry Pi trees ship `reg = <0 0 0>` because the Pi firmware fills it in at boot).
import { writeFileSync } from 'node:fs';
import type { BootPlan } from '../model.js';
import { readFileBounded } from '../read-file.js';
import { memoryRanges, parseFdt, rootCompatible, serializeFdt, setMemoryRanges } from '../platform/fdt.js';
import type { DtbFacts } from './plan.js';

/** Device trees are tens of KiB; anything past this is not one we will hand to a kernel. */
const MAX_DTB_BYTES = 4 * 1024 * 1024;

export function describeDtbBytes(bytes: Uint8Array): DtbFacts | null {
  const tree = parseFdt(bytes);
  return tree && { compatible: rootCompatible(tree), hasMemory: memoryRanges(tree).length > 0 };
}

export function describeDtbFile(path: string): DtbFacts | null {
  const bytes = readBounded(path);
  return bytes && describeDtbBytes(bytes);
}

/** The disk tree with the firmware tree's memory ranges; a reason string when that cannot be done. */
export function withFirmwareMemory(diskDtb: Uint8Array, firmwareDtb: Uint8Array): Uint8Array | string {
  const disk = parseFdt(diskDtb);
  if (!disk) return 'is not a valid device tree blob';
  const firmware = parseFdt(firmwareDtb);
  if (!firmware) return "the firmware's tree is not a valid device tree blob";
  const ranges = memoryRanges(firmware);
  if (ranges.length === 0) return "the firmware's tree names no memory either";
  if (!setMemoryRanges(disk, ranges)) return "the firmware's memory ranges do not fit its #address-cells/#size-cells";
  return serializeFdt(disk);
}

/** Writes plan.dtbFixup.to; throws with a message a person can act on. */
export function writeFixedDtb(fixup: NonNullable<BootPlan['dtbFixup']>): void {
  const disk = readBounded(fixup.from);
  if (!disk) throw new Error(`cannot read the device tree ${fixup.from}`);
  const firmware = readBounded(fixup.memoryFrom);
  if (!firmware) throw new Error(`cannot read the firmware's device tree ${fixup.memoryFrom} (it needs root)`);
  const fixed = withFirmwareMemory(disk, firmware);
  if (typeof fixed === 'string') throw new Error(`cannot give ${fixup.from} the firmware's memory: ${fixed}`);
  writeFileSync(fixup.to, fixed, { mode: 0o600 });
}

function readBounded(file: string): Uint8Array | null {
  const read = readFileBounded(file, { length: MAX_DTB_BYTES + 1 });
  return read.ok && read.data.length <= MAX_DTB_BYTES ? read.data : null;
}
