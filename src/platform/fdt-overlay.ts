// Applies a compiled device tree overlay (.dtbo) to a base tree the way libfdt's fdt_overlay_apply
// does (and so dtc's fdtoverlay and U-Boot): overlay phandles are renumbered above the base's,
// references to base labels (/__fixups__) are resolved through the base's /__symbols__, each
// fragment's __overlay__ is merged into its target, and the overlay's labels join the base's
// /__symbols__ so that a later overlay can use them.
//
// Where libfdt and its own quirks decide the result (loose node-name matching, where new
// properties and nodes land, the symbol paths it writes) this engine does the same, so its output
// equals fdtoverlay's. It follows libfdt as of dtc 1.7.1, which keeps a base node's phandle when an
// overlay node merged into it has one of its own (older versions overwrote it and left the base's
// references to that node dangling).
//
// Pure: both inputs are deep-copied first. Hostile input gives { ok: false } and bounded work.
import type { FdtNode, FdtProp, FdtTree } from './fdt.js';

export type OverlayResult = { ok: true; tree: FdtTree } | { ok: false; reason: string };

/** Nesting allowed in either input; fdt.ts's parser allows the same. */
const MAX_DEPTH = 64;
/** Far above any real tree (the largest upstream DTBs have a few thousand nodes). */
const MAX_NODES = 1_000_000;
/**
 * Steps (a node, property or reference looked at) one application may take. As in libfdt, finding
 * a target by phandle scans the tree, once per fragment and per label, and finding a child or a
 * property scans its siblings; real overlays take well under ten million.
 */
const MAX_STEPS = 100_000_000;
const NO_PHANDLE = 0xffffffff;
const PHANDLE_PROPS = ['phandle', 'linux,phandle'] as const;

class OverlayError extends Error {}

function fail(reason: string): never {
  throw new OverlayError(reason);
}

// applyOverlay is synchronous, so one counter serves every call in turn.
let stepsLeft = 0;

function step(): void {
  if (--stepsLeft < 0) fail(`applying the overlay would take more than ${MAX_STEPS} steps`);
}

export function applyOverlay(base: FdtTree, overlay: FdtTree): OverlayResult {
  stepsLeft = MAX_STEPS;
  try {
    const tree = cloneTree(base, 'base');
    const overlayRoot = cloneTree(overlay, 'overlay').root;
    renumberOverlayPhandles(overlayRoot, maxPhandle(tree.root));
    resolveBaseReferences(tree.root, overlayRoot);
    keepBasePhandles(tree.root, overlayRoot);
    mergeFragments(tree.root, overlayRoot);
    mergeSymbols(tree.root, overlayRoot);
    return { ok: true, tree };
  } catch (error) {
    if (error instanceof OverlayError) return { ok: false, reason: error.message };
    throw error;
  }
}

// ---- copying, bounded ----

function cloneTree(tree: FdtTree, which: string): FdtTree {
  const budget = { nodes: 0 };
  const root = cloneNode(tree.root, 0, budget, which);
  return { root, reservations: tree.reservations.map((r) => ({ ...r })), bootCpuidPhys: tree.bootCpuidPhys };
}

function cloneNode(node: FdtNode, depth: number, budget: { nodes: number }, which: string): FdtNode {
  if (depth >= MAX_DEPTH) fail(`the ${which} tree nests nodes more than ${MAX_DEPTH} deep`);
  if (++budget.nodes > MAX_NODES) fail(`the ${which} tree has more than ${MAX_NODES} nodes`);
  return {
    name: node.name,
    props: node.props.map((p) => ({ name: p.name, value: p.value.slice() })),
    children: node.children.map((c) => cloneNode(c, depth + 1, budget, which)),
  };
}

// ---- small tree helpers with libfdt's semantics ----

function findProp(node: FdtNode, name: string): FdtProp | undefined {
  for (const prop of node.props) {
    step();
    if (prop.name === name) return prop;
  }
  return undefined;
}

/** libfdt's subnode match: the first child named `name`, or `name@…` when `name` has no unit address. */
function findChild(node: FdtNode, name: string): FdtNode | undefined {
  const prefix = name.includes('@') ? null : `${name}@`;
  for (const child of node.children) {
    step();
    if (child.name === name || (prefix && child.name.startsWith(prefix))) return child;
  }
  return undefined;
}

/** Like fdt_setprop: an existing property keeps its place, a new one goes first. */
function setProp(node: FdtNode, name: string, value: Uint8Array): void {
  const existing = findProp(node, name);
  if (existing) existing.value = value;
  else node.props.unshift({ name, value });
}

/** Like fdt_add_subnode: a new node goes before the existing children. */
function addChild(parent: FdtNode, name: string): FdtNode {
  const child: FdtNode = { name, props: [], children: [] };
  parent.children.unshift(child);
  return child;
}

function u32At(value: Uint8Array, offset: number): number {
  return new DataView(value.buffer, value.byteOffset, value.byteLength).getUint32(offset, false);
}

function setU32At(value: Uint8Array, offset: number, v: number): void {
  new DataView(value.buffer, value.byteOffset, value.byteLength).setUint32(offset, v >>> 0, false);
}

/** A property as C reads it: up to its first NUL. */
function cString(value: Uint8Array): string {
  const end = value.indexOf(0);
  return new TextDecoder().decode(end < 0 ? value : value.subarray(0, end));
}

function encodeString(s: string): Uint8Array {
  return new TextEncoder().encode(`${s}\0`);
}

/** fdt_get_phandle: `phandle`, else `linux,phandle`, when 4 bytes long; 0 for none. */
function nodePhandle(node: FdtNode): number {
  for (const name of PHANDLE_PROPS) {
    const prop = findProp(node, name);
    if (prop && prop.value.length === 4) return u32At(prop.value, 0);
  }
  return 0;
}

function joinPath(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}

/** Every node with its path, in document (depth-first) order, until `onNode` returns true. */
function walk(node: FdtNode, path: string, onNode: (node: FdtNode, path: string) => boolean | void): boolean {
  step();
  if (onNode(node, path)) return true;
  return node.children.some((child) => walk(child, joinPath(path, child.name), onNode));
}

function findByPhandle(root: FdtNode, phandle: number): { node: FdtNode; path: string } | null {
  let found: { node: FdtNode; path: string } | null = null;
  walk(root, '/', (node, path) => {
    if (nodePhandle(node) !== phandle) return false;
    found = { node, path };
    return true;
  });
  return found;
}

/** An /aliases entry, only when it is a proper absolute path (a relative one could loop). */
function aliasPath(root: FdtNode, alias: string): string | null {
  const aliases = findChild(root, 'aliases');
  const value = aliases && findProp(aliases, alias)?.value;
  if (!value || value.length < 2 || value[0] !== 0x2f || value.indexOf(0) !== value.length - 1) return null;
  return cString(value);
}

/** fdt_path_offset: an absolute path or `alias/rest`, components matched as findChild does. */
function resolvePath(root: FdtNode, path: string): FdtNode | null {
  let node: FdtNode | undefined = root;
  let rest = path;
  if (!path.startsWith('/')) {
    const slash = path.indexOf('/');
    const aliased = aliasPath(root, slash < 0 ? path : path.slice(0, slash));
    node = aliased === null ? undefined : (resolvePath(root, aliased) ?? undefined);
    rest = slash < 0 ? '' : path.slice(slash);
  }
  for (const part of rest.split('/').filter(Boolean)) {
    if (!node) break;
    node = findChild(node, part);
  }
  return node ?? null;
}

// ---- step 1: the overlay's own phandles and references to them ----

function maxPhandle(root: FdtNode): number {
  let max = 0;
  walk(root, '/', (node) => {
    max = Math.max(max, nodePhandle(node));
  });
  return max;
}

function renumberOverlayPhandles(overlayRoot: FdtNode, delta: number): void {
  walk(overlayRoot, '/', (node, path) => {
    for (const name of PHANDLE_PROPS) {
      const prop = findProp(node, name);
      if (prop) prop.value = shiftedPhandle(prop, path, delta);
    }
  });
  forEachLocalReference(overlayRoot, (value, offset) => setU32At(value, offset, u32At(value, offset) + delta));
}

function shiftedPhandle(prop: FdtProp, path: string, delta: number): Uint8Array {
  if (prop.value.length !== 4) fail(`overlay node ${path}: ${prop.name} is ${prop.value.length} bytes long, not 4`);
  const shifted = u32At(prop.value, 0) + delta;
  if (shifted >= NO_PHANDLE) fail(`overlay node ${path}: no phandle is left above the base's for it`);
  const value = new Uint8Array(4);
  setU32At(value, 0, shifted);
  return value;
}

/**
 * Calls `onReference` for each phandle cell that /__local_fixups__ lists: a property of
 * /__local_fixups__/PATH holds the byte offsets of the cells in the same-named property of PATH.
 */
function forEachLocalReference(overlayRoot: FdtNode, onReference: (value: Uint8Array, offset: number) => void): void {
  const fixups = findChild(overlayRoot, '__local_fixups__');
  if (fixups) visitLocalFixups(overlayRoot, fixups, '/', onReference);
}

function visitLocalFixups(node: FdtNode, fixups: FdtNode, path: string, onReference: (value: Uint8Array, offset: number) => void): void {
  step();
  for (const fixup of fixups.props) {
    const where = `/__local_fixups__ entry for ${path}:${fixup.name}`;
    if (fixup.value.length % 4 !== 0) fail(`${where} is ${fixup.value.length} bytes, not a list of 32-bit offsets`);
    const target = findProp(node, fixup.name)?.value ?? fail(`${where} names a property the overlay does not have`);
    for (let at = 0; at < fixup.value.length; at += 4) {
      const offset = u32At(fixup.value, at);
      checkCellInside(target, offset, where);
      step();
      onReference(target, offset);
    }
  }
  for (const fixupChild of fixups.children) {
    const childPath = joinPath(path, fixupChild.name);
    const child = findChild(node, fixupChild.name) ?? fail(`/__local_fixups__ names node ${childPath}, which the overlay does not have`);
    visitLocalFixups(child, fixupChild, childPath, onReference);
  }
}

function checkCellInside(value: Uint8Array, offset: number, where: string): void {
  if (offset + 4 > value.length) fail(`${where}: offset ${offset} is outside the property (${value.length} bytes)`);
}

// ---- step 2: references to the base's labels ----

interface Fixup {
  path: string;
  property: string;
  offset: number;
}

function resolveBaseReferences(baseRoot: FdtNode, overlayRoot: FdtNode): void {
  const fixups = findChild(overlayRoot, '__fixups__');
  if (!fixups) return;
  const symbols = findChild(baseRoot, '__symbols__');
  for (const prop of fixups.props) {
    const entries = parseFixups(prop);
    const phandle = labelPhandle(baseRoot, symbols, prop.name);
    for (const fixup of entries) patchFixup(overlayRoot, fixup, prop.name, phandle);
  }
}

/** A /__fixups__ property: NUL-terminated "path:property:offset" strings, at least one. */
function parseFixups(prop: FdtProp): Fixup[] {
  const where = `/__fixups__ entry for label "${prop.name}"`;
  const value = prop.value;
  if (value.length === 0 || value[value.length - 1] !== 0) fail(`${where} is not a list of strings`);
  return new TextDecoder()
    .decode(value.subarray(0, -1))
    .split('\0')
    .map((entry) => parseFixup(entry, where));
}

function parseFixup(entry: string, where: string): Fixup {
  const match = /^([^:]+):([^:]+):(\d+)$/.exec(entry);
  if (!match) fail(`${where} has "${entry}", not "path:property:offset"`);
  return { path: match[1]!, property: match[2]!, offset: Number(match[3]) };
}

function labelPhandle(baseRoot: FdtNode, symbols: FdtNode | undefined, label: string): number {
  if (!symbols) fail(`the overlay refers to label "${label}", but the base tree has no /__symbols__ (it was built without dtc -@)`);
  const symbol = findProp(symbols, label);
  if (!symbol) fail(`the overlay refers to label "${label}", which the base tree does not define`);
  const path = cString(symbol.value);
  const node = resolvePath(baseRoot, path) ?? fail(`label "${label}" of the base stands for ${path}, which is not in the base tree`);
  const phandle = nodePhandle(node);
  if (!phandle) fail(`label "${label}" of the base stands for ${path}, which has no phandle`);
  return phandle;
}

function patchFixup(overlayRoot: FdtNode, fixup: Fixup, label: string, phandle: number): void {
  const where = `/__fixups__ entry "${fixup.path}:${fixup.property}:${fixup.offset}" for label "${label}"`;
  const node = resolvePath(overlayRoot, fixup.path) ?? fail(`${where} names a node the overlay does not have`);
  const value = findProp(node, fixup.property)?.value ?? fail(`${where} names a property the overlay does not have`);
  checkCellInside(value, fixup.offset, where);
  setU32At(value, fixup.offset, phandle);
}

// ---- fragments and their targets ----

interface Fragment {
  node: FdtNode;
  overlay: FdtNode;
}

/** The children of the overlay root that have an __overlay__ (a __dormant__ one is switched off). */
function fragments(overlayRoot: FdtNode): Fragment[] {
  return overlayRoot.children.flatMap((node) => {
    const overlay = findChild(node, '__overlay__');
    return overlay ? [{ node, overlay }] : [];
  });
}

interface Target {
  node: FdtNode;
  /** The path libfdt writes into /__symbols__ for it: target-path as written, else the node's path. */
  symbolPath: string;
}

/** The fragment's target in `baseRoot`; null when it is well-formed but not (yet) there. */
function findTarget(baseRoot: FdtNode, fragment: FdtNode): Target | null {
  const phandle = targetPhandle(fragment);
  if (phandle) {
    const found = findByPhandle(baseRoot, phandle);
    return found && { node: found.node, symbolPath: found.path };
  }
  const targetPath = findProp(fragment, 'target-path');
  if (!targetPath) fail(`overlay /${fragment.name} has an __overlay__ but neither a target nor a target-path`);
  const path = cString(targetPath.value);
  const node = resolvePath(baseRoot, path);
  return node && { node, symbolPath: path };
}

/** The `target` phandle; 0 when there is none (libfdt treats <0> the same way). */
function targetPhandle(fragment: FdtNode): number {
  const target = findProp(fragment, 'target');
  if (!target) return 0;
  if (target.value.length !== 4) fail(`overlay /${fragment.name}: target is ${target.value.length} bytes long, not one phandle`);
  const phandle = u32At(target.value, 0);
  if (phandle === NO_PHANDLE) fail(`overlay /${fragment.name}: target is still the unresolved phandle <0xffffffff>`);
  return phandle;
}

function requireTarget(baseRoot: FdtNode, fragment: FdtNode): Target {
  return findTarget(baseRoot, fragment) ?? fail(`overlay /${fragment.name}: its ${describeTarget(fragment)} is not in the base tree`);
}

function describeTarget(fragment: FdtNode): string {
  const phandle = targetPhandle(fragment);
  return phandle ? `target <0x${phandle.toString(16)}>` : `target-path "${cString(findProp(fragment, 'target-path')?.value ?? new Uint8Array())}"`;
}

// ---- step 3: an overlay node merged into a base node that has a phandle keeps the base's ----

function keepBasePhandles(baseRoot: FdtNode, overlayRoot: FdtNode): void {
  for (const fragment of fragments(overlayRoot)) {
    // A target still missing is left to the merge, which may find it added by an earlier fragment.
    const target = findTarget(baseRoot, fragment.node);
    if (target) keepBasePhandlesBelow(target.node, fragment.overlay, overlayRoot);
  }
}

function keepBasePhandlesBelow(baseNode: FdtNode, overlayNode: FdtNode, overlayRoot: FdtNode): void {
  const basePhandle = nodePhandle(baseNode);
  const overlayPhandle = nodePhandle(overlayNode);
  if (basePhandle && overlayPhandle) adoptPhandle(overlayNode, overlayRoot, basePhandle, overlayPhandle);
  for (const overlayChild of overlayNode.children) {
    const baseChild = findChild(baseNode, overlayChild.name);
    if (baseChild) keepBasePhandlesBelow(baseChild, overlayChild, overlayRoot);
  }
}

function adoptPhandle(overlayNode: FdtNode, overlayRoot: FdtNode, basePhandle: number, overlayPhandle: number): void {
  for (const name of PHANDLE_PROPS) {
    const prop = findProp(overlayNode, name);
    if (prop?.value.length === 4) setU32At(prop.value, 0, basePhandle);
  }
  forEachLocalReference(overlayRoot, (value, offset) => {
    if (u32At(value, offset) === overlayPhandle) setU32At(value, offset, basePhandle);
  });
}

// ---- step 4: merging ----

function mergeFragments(baseRoot: FdtNode, overlayRoot: FdtNode): void {
  for (const fragment of fragments(overlayRoot)) mergeNode(requireTarget(baseRoot, fragment.node).node, fragment.overlay);
}

function mergeNode(target: FdtNode, source: FdtNode): void {
  step();
  for (const prop of source.props) setProp(target, prop.name, prop.value.slice());
  for (const child of source.children) mergeNode(findChild(target, child.name) ?? addChild(target, child.name), child);
}

// ---- step 5: the overlay's labels join the base's /__symbols__ ----

function mergeSymbols(baseRoot: FdtNode, overlayRoot: FdtNode): void {
  const overlaySymbols = findChild(overlayRoot, '__symbols__');
  if (!overlaySymbols) return;
  const baseSymbols = findChild(baseRoot, '__symbols__') ?? addChild(baseRoot, '__symbols__');
  for (const symbol of overlaySymbols.props) {
    const path = symbolPathInBase(baseRoot, overlayRoot, symbol);
    if (path !== null) setProp(baseSymbols, symbol.name, encodeString(path));
  }
}

/**
 * Where a label of the overlay ends up: "/FRAGMENT/__overlay__/REST" becomes "TARGET/REST".
 * Null for a label outside any __overlay__, which does not reach the base.
 */
function symbolPathInBase(baseRoot: FdtNode, overlayRoot: FdtNode, symbol: FdtProp): string | null {
  const where = `overlay /__symbols__ label "${symbol.name}"`;
  const value = symbol.value;
  if (value.length === 0 || value.indexOf(0) !== value.length - 1) fail(`${where} is not a string`);
  const path = cString(value);
  if (!path.startsWith('/')) fail(`${where} is "${path}", not an absolute path`);
  const slash = path.indexOf('/', 1);
  if (slash < 0) return null;
  const inFragment = path.slice(slash);
  const rest = inFragment.startsWith('/__overlay__/') ? inFragment.slice('/__overlay__/'.length) : inFragment === '/__overlay__' ? '' : null;
  if (rest === null) return null;
  const fragmentName = path.slice(1, slash);
  const fragment = findChild(overlayRoot, fragmentName);
  if (!fragment || !findChild(fragment, '__overlay__')) fail(`${where} is in /${fragmentName}, which is not a fragment of the overlay`);
  const targetPath = requireTarget(baseRoot, fragment).symbolPath;
  // libfdt leaves the root's "/" out (and so anything one byte long) but keeps a trailing "/".
  const prefix = new TextEncoder().encode(targetPath).length > 1 ? targetPath : '';
  return `${prefix}/${rest}`;
}
