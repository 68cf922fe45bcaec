// What the Raspberry Pi firmware (or U-Boot) writes into the tree it hands the kernel, carried
// from the running firmware's tree into a tree from disk, as the firmware would have written it
// there: the RAM ranges, MAC and Bluetooth addresses, serial number and board revision, /chosen
// facts, and the memory it reserved. Random seeds are made fresh, never copied: a seed handed on
// twice is no seed. Pure: the trees and the seed bytes come in, a new tree comes out.
import { getNode, memoryRanges, propStrings, setMemoryRanges, type FdtNode, type FdtProp, type FdtTree } from './fdt.js';

/** Properties the firmware sets on a device node, found wherever they are in its tree. */
const DEVICE_FACTS = ['local-mac-address', 'local-bd-address'];
/** Root and /system properties the firmware sets (`/system/linux,serial` is what /proc/cpuinfo shows). */
const ROOT_FACTS = ['serial-number'];
const SYSTEM_FACTS = ['linux,serial', 'linux,revision'];
const CHOSEN_FACTS = ['rpi-boardrev-ext', 'rpi-country-code', 'rpi-duid'];
const SEEDS: Array<[name: string, bytes: number]> = [['kaslr-seed', 8], ['rng-seed', 64]];
/** Nodes walked when looking for device facts: real trees have a few hundred. */
const MAX_NODES = 20_000;

export interface CarriedFacts {
  tree: FdtTree;
  /** What was carried, in words, for the plan ("local-mac-address of /soc/ethernet@7d580000"). */
  carried: string[];
  /** Why the firmware's RAM could not be written into the tree; null when it was (or it has none). */
  memoryProblem: string | null;
}

function clone(node: FdtNode): FdtNode {
  return { name: node.name, props: node.props.map((p) => ({ name: p.name, value: p.value.slice() })), children: node.children.map(clone) };
}

function prop(node: FdtNode | null, name: string): FdtProp | undefined {
  return node?.props.find((p) => p.name === name);
}

function setOn(node: FdtNode, name: string, value: Uint8Array): void {
  const existing = prop(node, name);
  if (existing) existing.value = value.slice();
  else node.props.push({ name, value: value.slice() });
}

function childOf(parent: FdtNode, name: string, template: FdtNode | null): FdtNode {
  let node = parent.children.find((c) => c.name === name);
  if (!node) {
    node = { name, props: template ? template.props.filter((p) => p.name.startsWith('#') || p.name === 'ranges').map((p) => ({ name: p.name, value: p.value.slice() })) : [], children: [] };
    parent.children.push(node);
  }
  return node;
}

function withoutPhandles(node: FdtNode): FdtNode {
  node.props = node.props.filter((p) => p.name !== 'phandle' && p.name !== 'linux,phandle');
  node.children.forEach(withoutPhandles);
  return node;
}

function cellsOf(node: FdtNode, name: string): string {
  return Buffer.from(prop(node, name)?.value ?? []).toString('hex');
}

function sameCells(a: FdtNode, b: FdtNode): boolean {
  return cellsOf(a, '#address-cells') === cellsOf(b, '#address-cells') && cellsOf(a, '#size-cells') === cellsOf(b, '#size-cells');
}

/** /chosen linux,initrd-start and -end (one or two cells each), when both are there. */
function initrdRange(chosen: FdtNode | null): { start: bigint; end: bigint } | null {
  const cells = (name: string) => {
    const value = prop(chosen, name)?.value;
    if (!value || (value.length !== 4 && value.length !== 8)) return null;
    return BigInt(`0x${Buffer.from(value).toString('hex')}`);
  };
  const start = cells('linux,initrd-start');
  const end = cells('linux,initrd-end');
  return start !== null && end !== null && end > start ? { start, end } : null;
}

/** Every node with its path, depth first, bounded. */
function walk(root: FdtNode): Array<[path: string, node: FdtNode]> {
  const out: Array<[string, FdtNode]> = [];
  const stack: Array<[string, FdtNode]> = [['', root]];
  while (stack.length > 0 && out.length < MAX_NODES) {
    const [path, node] = stack.pop()!;
    out.push([path || '/', node]);
    for (let i = node.children.length - 1; i >= 0; i--) stack.push([`${path}/${node.children[i]!.name}`, node.children[i]!]);
  }
  return out;
}

/** alias name -> path, from /aliases. */
function aliases(tree: FdtTree): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of getNode(tree, '/aliases')?.props ?? []) {
    const path = propStrings(p.value)[0];
    if (path?.startsWith('/')) out.set(p.name, path);
  }
  return out;
}

/** The disk tree's node for a firmware node: the one its alias names there, else the same path. */
function counterpart(disk: FdtTree, diskAliases: Map<string, string>, firmwareAliases: Map<string, string>, path: string): { path: string; node: FdtNode } | null {
  for (const [alias, target] of firmwareAliases) {
    const there = target === path ? diskAliases.get(alias) : undefined;
    const node = there ? getNode(disk, there) : null;
    if (node && there) return { path: there, node };
  }
  const node = getNode(disk, path);
  return node ? { path, node } : null;
}

export function carryFirmwareFacts(disk: FdtTree, firmware: FdtTree, seed: Uint8Array): CarriedFacts {
  const tree: FdtTree = { root: clone(disk.root), reservations: disk.reservations.map((r) => ({ ...r })), bootCpuidPhys: disk.bootCpuidPhys };
  const carried: string[] = [];
  let memoryProblem: string | null = null;

  const ranges = memoryRanges(firmware);
  if (ranges.length > 0) {
    if (setMemoryRanges(tree, ranges)) carried.push(`memory (${ranges.length} range${ranges.length === 1 ? '' : 's'})`);
    else memoryProblem = "the firmware's memory ranges do not fit the tree's #address-cells/#size-cells";
  }

  const diskAliases = aliases(tree);
  const firmwareAliases = aliases(firmware);
  for (const [path, node] of walk(firmware.root)) {
    for (const name of DEVICE_FACTS) {
      const value = prop(node, name);
      if (!value) continue;
      const target = counterpart(tree, diskAliases, firmwareAliases, path);
      if (!target) continue;
      setOn(target.node, name, value.value);
      carried.push(`${name} of ${target.path}`);
    }
  }

  for (const name of ROOT_FACTS) {
    const value = prop(firmware.root, name);
    if (value) {
      setOn(tree.root, name, value.value);
      carried.push(`/${name}`);
    }
  }
  const firmwareSystem = getNode(firmware, '/system');
  for (const name of SYSTEM_FACTS) {
    const value = prop(firmwareSystem, name);
    if (value) {
      setOn(childOf(tree.root, 'system', null), name, value.value);
      carried.push(`/system/${name}`);
    }
  }

  const firmwareChosen = getNode(firmware, '/chosen');
  const chosen = () => childOf(tree.root, 'chosen', null);
  for (const name of CHOSEN_FACTS) {
    const value = prop(firmwareChosen, name);
    if (value) {
      setOn(chosen(), name, value.value);
      carried.push(`/chosen/${name}`);
    }
  }
  let offset = 0;
  for (const [name, bytes] of SEEDS) {
    if (!prop(firmwareChosen, name)) continue;
    const fresh = seed.subarray(offset, offset + bytes);
    offset += bytes;
    if (fresh.length < bytes) continue;
    setOn(chosen(), name, fresh);
    carried.push(`/chosen/${name} (fresh)`);
  }

  const firmwareReserved = getNode(firmware, '/reserved-memory');
  for (const node of firmwareReserved?.children ?? []) {
    const reserved = childOf(tree.root, 'reserved-memory', firmwareReserved);
    if (reserved.children.some((c) => c.name === node.name)) continue;
    // A `reg` means what the parent's cell sizes say: copied under other ones it would reserve
    // some other range (all of RAM, it can be).
    if (!sameCells(reserved, firmwareReserved!)) {
      carried.push(`not /reserved-memory/${node.name}: the trees' #address-cells/#size-cells differ`);
      continue;
    }
    // Without its phandle: the number may be taken in the disk's tree, and nothing there points at it.
    reserved.children.push(withoutPhandles(clone(node)));
    carried.push(`/reserved-memory/${node.name}`);
  }
  // U-Boot reserves the initramfs it loaded for this kernel: that one is not for the next.
  const initrd = initrdRange(firmwareChosen);
  for (const r of firmware.reservations) {
    if (tree.reservations.some((t) => t.address === r.address && t.size === r.size)) continue;
    if (initrd && r.address < initrd.end && initrd.start < r.address + r.size) continue;
    tree.reservations.push({ ...r });
    carried.push(`/memreserve/ 0x${r.address.toString(16)} 0x${r.size.toString(16)}`);
  }
  return { tree, carried, memoryProblem };
}

/** Bytes the seeds need: what the caller reads from /dev/urandom. */
export const FIRMWARE_SEED_BYTES = SEEDS.reduce((n, [, bytes]) => n + bytes, 0);
