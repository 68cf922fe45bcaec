// The device tree a kernel booted the firmware's way gets, built as the Pi firmware builds it:
// the base tree, its dtparam= parameters, each overlay with its own parameters, merged in
// config.txt order; then, for a tree from disk, the facts the firmware writes (RAM, addresses,
// serial, seeds). Pure: bytes in, bytes and a report out. An overlay or parameter that does not
// apply is reported and left out; the rest of the tree still boots.
import type { DeviceTreeReport, DeviceTreeRequest, DeviceTreeStepReport, DtParam } from '../model.js';
import { carryFirmwareFacts } from '../platform/fdt-firmware-facts.js';
import { applyOverlay } from '../platform/fdt-overlay.js';
import { applyParameters, type ParamResult } from '../platform/fdt-params.js';
import { parseFdt, serializeFdt, type FdtTree } from '../platform/fdt.js';

export interface OverlayInput {
  path: string;
  /** The .dtbo's bytes, or why it could not be read. */
  bytes: Uint8Array | { unreadable: string };
  params: DtParam[];
}

export interface DeviceTreeInput {
  base: Uint8Array;
  /** The base is the running firmware's own tree, which has the firmware's facts already. */
  baseIsFirmware: boolean;
  /** The running firmware's tree, to carry its facts from; null when there is none. */
  firmware: Uint8Array | null;
  dtparams: DtParam[];
  overlays: OverlayInput[];
  /** Random bytes for the seeds the firmware sets (FIRMWARE_SEED_BYTES). */
  seed: Uint8Array;
}

export type DeviceTreeBuild = { ok: true; dtb: Uint8Array; report: DeviceTreeReport } | { ok: false; reason: string; report: DeviceTreeReport };

export function overlayName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1).replace(/\.dtbo$/, '');
}

function failedParams(results: ParamResult[]): string | null {
  const failed = results.filter((r) => !r.ok);
  return failed.length === 0 ? null : failed.map((r) => `${r.name}${r.value === null ? '' : `=${r.value}`}: ${r.reason ?? 'not applied'}`).join('; ');
}

function withParams(tree: FdtTree, params: DtParam[]): { tree: FdtTree; results: ParamResult[] } {
  return params.length === 0 ? { tree, results: [] } : applyParameters(tree, params);
}

export function buildDeviceTree(input: DeviceTreeInput): DeviceTreeBuild {
  const report: DeviceTreeReport = { steps: [], carried: [] };
  const base = parseFdt(input.base);
  if (!base) return { ok: false, reason: 'the base tree is not a valid device tree blob', report };

  let tree = base;
  if (input.dtparams.length > 0) {
    const { tree: next, results } = withParams(tree, input.dtparams);
    tree = next;
    const reason = failedParams(results);
    report.steps.push({ kind: 'dtparam', name: 'base', path: null, applied: results.some((r) => r.ok), reason, params: results });
  }

  for (const overlay of input.overlays) {
    const step: DeviceTreeStepReport = { kind: 'overlay', name: overlayName(overlay.path), path: overlay.path, applied: false, reason: null, params: [] };
    report.steps.push(step);
    if (!(overlay.bytes instanceof Uint8Array)) {
      step.reason = overlay.bytes.unreadable;
      continue;
    }
    const parsed = parseFdt(overlay.bytes);
    if (!parsed) {
      step.reason = 'not a valid device tree overlay';
      continue;
    }
    // A parameter the overlay does not have is the base tree's (the firmware's rule: the
    // overlay's wins only where both have one of that name).
    const own = new Set(parsed.root.children.find((c) => c.name === '__overrides__')?.props.map((p) => p.name) ?? []);
    const forBase = overlay.params.filter((p) => !own.has(p.name));
    if (forBase.length > 0) {
      const { tree: next, results } = withParams(tree, forBase);
      tree = next;
      report.steps.splice(report.steps.length - 1, 0, { kind: 'dtparam', name: 'base', path: null, applied: results.some((r) => r.ok), reason: failedParams(results), params: results });
    }
    const { tree: configured, results } = withParams(parsed, overlay.params.filter((p) => own.has(p.name)));
    step.params = results;
    const merged = applyOverlay(tree, configured);
    if (!merged.ok) {
      step.reason = merged.reason;
      continue;
    }
    tree = merged.tree;
    step.applied = true;
    step.reason = failedParams(results);
  }

  if (input.firmware && !input.baseIsFirmware) {
    const firmware = parseFdt(input.firmware);
    if (!firmware) return { ok: false, reason: "the firmware's tree is not a valid device tree blob", report };
    const carried = carryFirmwareFacts(tree, firmware, input.seed);
    report.carried = carried.carried;
    // Without the firmware's RAM the kernel would take the disk tree's, which is wrong or empty.
    if (carried.memoryProblem) return { ok: false, reason: carried.memoryProblem, report };
    tree = carried.tree;
  }
  return { ok: true, dtb: serializeFdt(tree), report };
}

/** One line per step, as the plan and the editor show them: "vc4-kms-v3d (applied)". */
export function describeSteps(report: DeviceTreeReport): string[] {
  return report.steps.map((s) => {
    const label = s.kind === 'dtparam' ? `dtparam ${s.params.map((p) => p.name).join(',')}` : s.name;
    if (!s.applied) return `${label} (failed: ${s.reason ?? 'not applied'})`;
    return s.reason ? `${label} (applied; ${s.reason})` : `${label} (applied)`;
  });
}

/** A device tree build in words, for the log: "DISK.dtb + 2 overlays, with the firmware's facts". */
export function describeBuild(request: DeviceTreeRequest): string {
  const parts = [request.base];
  if (request.overlays.length > 0) parts.push(`${request.overlays.length} overlay(s)`);
  if (request.dtparams.length > 0) parts.push(`${request.dtparams.length} dtparam(s)`);
  const facts = request.firmware !== null && request.firmware !== request.base ? `, with the facts of ${request.firmware}` : '';
  return parts.join(' + ') + facts;
}
