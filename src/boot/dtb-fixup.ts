// The I/O edge of device tree building: reading a .dtb's facts for the planner, reading the base,
// the firmware's tree and the overlays a plan names, and writing the tree the loader hands kexec.
// The building itself is pure (device-tree-build.ts), so the plan's report and the written tree
// come from the same code.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { ByteRange, DeviceTreeReport, DeviceTreeRequest } from '../model.js';
import { readFileBounded } from '../read-file.js';
import { FIRMWARE_SEED_BYTES } from '../platform/fdt-firmware-facts.js';
import { memoryRanges, parseFdt, rootCompatible } from '../platform/fdt.js';
import { buildDeviceTree, type DeviceTreeBuild } from './device-tree-build.js';
import type { DtbFacts } from './plan.js';

/** Device trees are tens of KiB; anything past this is not one we will hand to a kernel. */
const MAX_DTB_BYTES = 4 * 1024 * 1024;

export function describeDtbBytes(bytes: Uint8Array): DtbFacts | null {
  const tree = parseFdt(bytes);
  return tree && { compatible: rootCompatible(tree), hasMemory: memoryRanges(tree).length > 0 };
}

/** The facts of the tree in `path`, or in `range` of it (a unified kernel image's .dtb). */
export function describeDtbFile(path: string, range?: ByteRange): DtbFacts | null {
  const bytes = readBounded(path, range);
  return bytes && describeDtbBytes(bytes);
}

/** Reads what `request` names and builds its tree; the reason in words when a file cannot be read. */
export function buildRequestedTree(request: DeviceTreeRequest): DeviceTreeBuild {
  const empty = { steps: [], carried: [] };
  const base = readBounded(request.base, request.baseRange);
  if (!base) return { ok: false, reason: `cannot read the device tree ${request.base}${request.baseRange ? ` (${request.baseRange.size} bytes at ${request.baseRange.offset})` : ''}`, report: empty };
  const firmware = request.firmware === null ? null : readBounded(request.firmware);
  if (request.firmware !== null && !firmware) {
    return { ok: false, reason: `cannot read the firmware's device tree ${request.firmware} (it needs root)`, report: empty };
  }
  return buildDeviceTree({
    base,
    baseIsFirmware: request.base === request.firmware,
    firmware,
    dtparams: request.dtparams,
    overlays: request.overlays.map((o) => ({ path: o.path, params: o.params, bytes: readBounded(o.path) ?? { unreadable: `cannot read ${o.path} as a device tree overlay` } })),
    seed: randomBytes(FIRMWARE_SEED_BYTES),
  });
}

/** What the build would do, for the plan: its report, or why it cannot be tried. */
export function tryRequestedTree(request: DeviceTreeRequest): DeviceTreeReport | string {
  const built = buildRequestedTree(request);
  return built.ok ? built.report : built.reason;
}

/** Builds the tree and writes it to `file`; throws with a message a person can act on. */
export function writeRequestedTree(request: DeviceTreeRequest, file = request.to): DeviceTreeBuild & { ok: true } {
  const built = buildRequestedTree(request);
  if (!built.ok) throw new Error(built.reason);
  writeFileSync(file, built.dtb, { mode: 0o600 });
  return built;
}

function readBounded(file: string, range?: ByteRange): Uint8Array | null {
  if (range && range.size > MAX_DTB_BYTES) return null;
  const read = readFileBounded(file, range ? { offset: range.offset, length: range.size } : { length: MAX_DTB_BYTES + 1 });
  if (!read.ok) return null;
  if (range) return read.data.length >= range.size ? read.data.subarray(0, range.size) : null;
  return read.data.length <= MAX_DTB_BYTES ? read.data : null;
}
