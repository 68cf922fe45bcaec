// A small flattened device tree (DTB) reader and writer, enough to read a board's compatible and
// model and to hand a DTB from disk the memory ranges of the running firmware's tree (upstream
// Raspberry Pi 4 trees ship `reg = <0 0 0>` and rely on the firmware to fill it in).
// parseFdt never trusts the header: every offset and size is checked against the buffer, nesting
// is bounded, and anything malformed gives null.

export interface FdtProp {
  name: string;
  value: Uint8Array;
}

export interface FdtNode {
  /** Node name with its unit address ("memory@0"); "" for the root. */
  name: string;
  props: FdtProp[];
  children: FdtNode[];
}

export interface FdtReservation {
  address: bigint;
  size: bigint;
}

export interface FdtTree {
  root: FdtNode;
  /** The memory reservation map (/memreserve/ in dts), in order. */
  reservations: FdtReservation[];
  bootCpuidPhys: number;
}

export interface MemoryRange {
  address: bigint;
  size: bigint;
}

const FDT_MAGIC = 0xd00dfeed;
const FDT_BEGIN_NODE = 1;
const FDT_END_NODE = 2;
const FDT_PROP = 3;
const FDT_NOP = 4;
const FDT_END = 9;
const HEADER_BYTES = 40;
const MAX_DEPTH = 64;
/** Far above any real DTB (the largest upstream ones are ~200 KiB); a guard against garbage. */
const MAX_FDT_BYTES = 16 * 1024 * 1024;

export function parseFdt(bytes: Uint8Array): FdtTree | null {
  if (bytes.length < HEADER_BYTES || bytes.length > MAX_FDT_BYTES) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (offset: number) => view.getUint32(offset, false);
  if (u32(0) !== FDT_MAGIC) return null;
  const totalSize = u32(4);
  const structOffset = u32(8);
  const stringsOffset = u32(12);
  const reserveOffset = u32(16);
  const version = u32(20);
  const lastCompatible = u32(24);
  // Version 16 is the oldest layout we can read; a tree that cannot be read as 16 is not ours.
  if (version < 16 || lastCompatible > 17 || totalSize < HEADER_BYTES || totalSize > bytes.length) return null;
  const stringsSize = u32(32);
  const structSize = version >= 17 ? u32(36) : totalSize - structOffset;
  if (!within(structOffset, structSize, totalSize) || !within(stringsOffset, stringsSize, totalSize)) return null;
  if (reserveOffset < HEADER_BYTES || reserveOffset % 8 !== 0 || reserveOffset >= totalSize) return null;

  const reservations = readReservations(view, reserveOffset, totalSize);
  if (!reservations) return null;
  const strings = bytes.subarray(stringsOffset, stringsOffset + stringsSize);
  const root = readStruct(bytes.subarray(structOffset, structOffset + structSize), strings);
  if (!root) return null;
  return { root, reservations, bootCpuidPhys: u32(28) };
}

function within(offset: number, size: number, total: number): boolean {
  return offset <= total && size <= total - offset;
}

function readReservations(view: DataView, offset: number, end: number): FdtReservation[] | null {
  const out: FdtReservation[] = [];
  for (let at = offset; at + 16 <= end; at += 16) {
    const address = view.getBigUint64(at, false);
    const size = view.getBigUint64(at + 8, false);
    if (address === 0n && size === 0n) return out;
    out.push({ address, size });
  }
  return null;
}

function readStruct(block: Uint8Array, strings: Uint8Array): FdtNode | null {
  const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
  const stack: FdtNode[] = [];
  let root: FdtNode | null = null;
  let at = 0;
  while (at + 4 <= block.length) {
    const token = view.getUint32(at, false);
    at += 4;
    if (token === FDT_NOP) continue;
    if (token === FDT_BEGIN_NODE) {
      const end = block.indexOf(0, at);
      if (end < 0 || stack.length >= MAX_DEPTH || (root && stack.length === 0)) return null;
      const name = new TextDecoder().decode(block.subarray(at, end));
      at = align4(end + 1);
      const node: FdtNode = { name, props: [], children: [] };
      if (stack.length === 0) root = node;
      else stack[stack.length - 1]!.children.push(node);
      stack.push(node);
    } else if (token === FDT_END_NODE) {
      if (!stack.pop()) return null;
    } else if (token === FDT_PROP) {
      const node = stack[stack.length - 1];
      if (!node || at + 8 > block.length) return null;
      const length = view.getUint32(at, false);
      const nameOffset = view.getUint32(at + 4, false);
      at += 8;
      if (length > block.length - at || nameOffset >= strings.length) return null;
      const name = cString(strings, nameOffset);
      if (name === null) return null;
      node.props.push({ name, value: block.slice(at, at + length) });
      at = align4(at + length);
    } else if (token === FDT_END) {
      return root && stack.length === 0 ? root : null;
    } else {
      return null;
    }
  }
  return null;
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

/** The NUL-terminated string at `offset`; null when it runs off the end. */
function cString(bytes: Uint8Array, offset: number): string | null {
  const end = bytes.indexOf(0, offset);
  if (end < 0) return null;
  return new TextDecoder().decode(bytes.subarray(offset, end));
}

/** A version 17 DTB: header, memory reservation map, structure block, strings block. */
export function serializeFdt(tree: FdtTree): Uint8Array {
  const strings = new StringTable();
  const struct = new ByteWriter();
  const writeNode = (node: FdtNode) => {
    struct.u32(FDT_BEGIN_NODE);
    struct.bytes(new TextEncoder().encode(node.name));
    struct.bytes(Uint8Array.of(0));
    struct.pad4();
    for (const prop of node.props) {
      struct.u32(FDT_PROP);
      struct.u32(prop.value.length);
      struct.u32(strings.offsetOf(prop.name));
      struct.bytes(prop.value);
      struct.pad4();
    }
    for (const child of node.children) writeNode(child);
    struct.u32(FDT_END_NODE);
  };
  writeNode(tree.root);
  struct.u32(FDT_END);

  const reserve = new ByteWriter();
  for (const r of [...tree.reservations, { address: 0n, size: 0n }]) {
    reserve.u64(r.address);
    reserve.u64(r.size);
  }
  const structBytes = struct.done();
  const stringBytes = strings.done();
  const reserveOffset = HEADER_BYTES;
  const structOffset = reserveOffset + reserve.length;
  const stringsOffset = structOffset + structBytes.length;
  const totalSize = stringsOffset + stringBytes.length;

  const header = new ByteWriter();
  for (const field of [FDT_MAGIC, totalSize, structOffset, stringsOffset, reserveOffset, 17, 16, tree.bootCpuidPhys, stringBytes.length, structBytes.length]) {
    header.u32(field);
  }
  const out = new Uint8Array(totalSize);
  out.set(header.done(), 0);
  out.set(reserve.done(), reserveOffset);
  out.set(structBytes, structOffset);
  out.set(stringBytes, stringsOffset);
  return out;
}

class ByteWriter {
  private chunks: Uint8Array[] = [];
  length = 0;
  bytes(b: Uint8Array): void {
    this.chunks.push(b);
    this.length += b.length;
  }
  u32(v: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v >>> 0, false);
    this.bytes(b);
  }
  u64(v: bigint): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), false);
    this.bytes(b);
  }
  pad4(): void {
    const pad = (4 - (this.length % 4)) % 4;
    if (pad) this.bytes(new Uint8Array(pad));
  }
  done(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

class StringTable {
  private offsets = new Map<string, number>();
  private writer = new ByteWriter();
  offsetOf(name: string): number {
    let offset = this.offsets.get(name);
    if (offset === undefined) {
      offset = this.writer.length;
      this.offsets.set(name, offset);
      this.writer.bytes(new TextEncoder().encode(`${name}\0`));
    }
    return offset;
  }
  done(): Uint8Array {
    return this.writer.done();
  }
}

/**
 * The node at a '/'-separated path. A component with a unit address ("memory@0") must match the
 * node name exactly; one without ("chosen", "memory") also matches the first "name@…" node.
 */
export function getNode(tree: FdtTree, path: string): FdtNode | null {
  let node: FdtNode = tree.root;
  for (const part of path.split('/').filter(Boolean)) {
    const next: FdtNode | undefined =
      node.children.find((c) => c.name === part) ?? (part.includes('@') ? undefined : node.children.find((c) => baseName(c.name) === part));
    if (!next) return null;
    node = next;
  }
  return node;
}

function baseName(nodeName: string): string {
  const at = nodeName.indexOf('@');
  return at < 0 ? nodeName : nodeName.slice(0, at);
}

export function getProp(tree: FdtTree, path: string, name: string): Uint8Array | null {
  return getNode(tree, path)?.props.find((p) => p.name === name)?.value ?? null;
}

/** Sets (or adds) a property on an existing node; false when the node does not exist. */
export function setProp(tree: FdtTree, path: string, name: string, value: Uint8Array): boolean {
  const node = getNode(tree, path);
  if (!node) return false;
  setNodeProp(node, name, value);
  return true;
}

function setNodeProp(node: FdtNode, name: string, value: Uint8Array): void {
  const prop = node.props.find((p) => p.name === name);
  if (prop) prop.value = value;
  else node.props.push({ name, value });
}

/** A property as a list of NUL-terminated strings (compatible, model). */
export function propStrings(value: Uint8Array | null): string[] {
  if (!value || value.length === 0) return [];
  const text = new TextDecoder().decode(value[value.length - 1] === 0 ? value.subarray(0, -1) : value);
  return text.split('\0');
}

export function stringProp(...strings: string[]): Uint8Array {
  return new TextEncoder().encode(strings.map((s) => `${s}\0`).join(''));
}

/** The root `compatible`, most specific first. */
export function rootCompatible(tree: FdtTree): string[] {
  return propStrings(getProp(tree, '/', 'compatible')).filter(Boolean);
}

/** Bytes of the structure block that hold the root's own properties in any real tree. */
const ROOT_PROPS_BYTES = 16 * 1024;
const MAX_STRINGS_BYTES = 64 * 1024;

/**
 * The root `compatible` of a DTB read piece by piece through `read(offset, length)`: the header,
 * the start of the structure block and the strings block. Matching a board against a directory of
 * thousands of trees then costs a few KiB per file, and a file that is not a tree costs 40 bytes.
 */
export function readRootCompatible(read: (offset: number, length: number) => Uint8Array | null): string[] | null {
  const head = read(0, HEADER_BYTES);
  if (!head || head.length < HEADER_BYTES) return null;
  const h = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const u32 = (offset: number) => h.getUint32(offset, false);
  const [totalSize, structOffset, stringsOffset, version, lastCompatible, stringsSize] = [u32(4), u32(8), u32(12), u32(20), u32(24), u32(32)];
  if (u32(0) !== FDT_MAGIC || version < 16 || lastCompatible > 17 || totalSize > MAX_FDT_BYTES) return null;
  const structSize = version >= 17 ? u32(36) : totalSize - structOffset;
  if (!within(structOffset, structSize, totalSize) || !within(stringsOffset, stringsSize, totalSize)) return null;
  const struct = read(structOffset, Math.min(structSize, ROOT_PROPS_BYTES));
  const strings = read(stringsOffset, Math.min(stringsSize, MAX_STRINGS_BYTES));
  if (!struct || !strings) return null;
  const view = new DataView(struct.buffer, struct.byteOffset, struct.byteLength);
  let at = 0;
  while (at + 4 <= struct.length && view.getUint32(at, false) === FDT_NOP) at += 4;
  if (at + 4 > struct.length || view.getUint32(at, false) !== FDT_BEGIN_NODE) return null;
  const nameEnd = struct.indexOf(0, at + 4);
  if (nameEnd < 0) return null;
  at = align4(nameEnd + 1);
  while (at + 4 <= struct.length) {
    const token = view.getUint32(at, false);
    at += 4;
    if (token === FDT_NOP) continue;
    if (token !== FDT_PROP || at + 8 > struct.length) return null; // the root's properties are over
    const length = view.getUint32(at, false);
    const nameOffset = view.getUint32(at + 4, false);
    at += 8;
    if (length > struct.length - at || nameOffset >= strings.length) return null;
    if (cString(strings, nameOffset) === 'compatible') return propStrings(struct.subarray(at, at + length)).filter(Boolean);
    at = align4(at + length);
  }
  return null;
}

export function model(tree: FdtTree): string | null {
  return propStrings(getProp(tree, '/', 'model'))[0] || null;
}

function cellsProp(node: FdtNode, name: string, fallback: number): number {
  const value = node.props.find((p) => p.name === name)?.value;
  if (!value || value.length !== 4) return fallback;
  return new DataView(value.buffer, value.byteOffset, 4).getUint32(0, false);
}

/** Root #address-cells and #size-cells, with the defaults the devicetree spec gives (2 and 1). */
function rootCells(tree: FdtTree): { addressCells: number; sizeCells: number } {
  return { addressCells: cellsProp(tree.root, '#address-cells', 2), sizeCells: cellsProp(tree.root, '#size-cells', 1) };
}

function isMemoryNode(node: FdtNode): boolean {
  if (baseName(node.name) !== 'memory') return false;
  const deviceType = propStrings(node.props.find((p) => p.name === 'device_type')?.value ?? null)[0];
  const status = propStrings(node.props.find((p) => p.name === 'status')?.value ?? null)[0];
  return deviceType === 'memory' && (status === undefined || status === 'okay' || status === 'ok');
}

/** The RAM ranges the memory nodes under the root describe, empty ones (size 0) left out. */
export function memoryRanges(tree: FdtTree): MemoryRange[] {
  const { addressCells, sizeCells } = rootCells(tree);
  const entryCells = addressCells + sizeCells;
  if (addressCells > 4 || sizeCells > 4 || entryCells === 0) return [];
  const out: MemoryRange[] = [];
  for (const node of tree.root.children.filter(isMemoryNode)) {
    const reg = node.props.find((p) => p.name === 'reg')?.value;
    if (!reg) continue;
    const view = new DataView(reg.buffer, reg.byteOffset, reg.byteLength);
    const cells = (at: number, n: number) => {
      let v = 0n;
      for (let i = 0; i < n; i++) v = (v << 32n) | BigInt(view.getUint32(at + i * 4, false));
      return v;
    };
    for (let at = 0; at + entryCells * 4 <= reg.length; at += entryCells * 4) {
      const range = { address: cells(at, addressCells), size: cells(at + addressCells * 4, sizeCells) };
      if (range.size > 0n) out.push(range);
    }
  }
  return out;
}

/**
 * Makes the tree describe exactly `ranges` as RAM: one memory node (the first existing one, else a
 * new `memory@ADDR`) gets them all in its `reg`; other memory nodes are removed. False, with the
 * tree unchanged, when a value does not fit the root's cell sizes.
 */
export function setMemoryRanges(tree: FdtTree, ranges: MemoryRange[]): boolean {
  const { addressCells, sizeCells } = rootCells(tree);
  const fits = (v: bigint, n: number) => v >= 0n && n <= 4 && v < 1n << BigInt(32 * n);
  if (ranges.some((r) => !fits(r.address, addressCells) || !fits(r.size, sizeCells))) return false;
  const reg = new ByteWriter();
  const writeCells = (v: bigint, n: number) => {
    for (let i = n - 1; i >= 0; i--) reg.u32(Number((v >> BigInt(32 * i)) & 0xffffffffn));
  };
  for (const r of ranges) {
    writeCells(r.address, addressCells);
    writeCells(r.size, sizeCells);
  }
  const existing = tree.root.children.filter((c) => baseName(c.name) === 'memory');
  const keep = existing.find(isMemoryNode) ?? existing[0];
  const unitAddress = (ranges[0]?.address ?? 0n).toString(16);
  const node: FdtNode = keep ?? { name: `memory@${unitAddress}`, props: [], children: [] };
  if (!keep) tree.root.children.push(node);
  node.name = `memory@${unitAddress}`;
  setNodeProp(node, 'device_type', stringProp('memory'));
  setNodeProp(node, 'reg', reg.done());
  tree.root.children = tree.root.children.filter((c) => c === node || !existing.includes(c));
  return true;
}
