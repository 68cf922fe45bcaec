// Device tree parameters as the Raspberry Pi firmware applies them: `dtparam=` edits the base tree
// through its /__overrides__, `dtoverlay=NAME,param=value` edits the overlay (its fragments, still
// unmerged) through the overlay's own /__overrides__. Each override property is a sequence of
// targets, each a phandle cell and a declaration string ("reg:0", "wakeup-source?", "status", ...),
// sometimes followed by a literal (a string or a cell) the declaration consumes. Pure: the input
// tree is deep-copied and never changed.
//
// As in the firmware, a parameter's targets are applied in order and the first failing one stops
// it: the targets before it stay applied (ok: false says so in the reason).
import type { FdtNode, FdtProp, FdtTree } from './fdt.js';

export interface ParamResult {
  name: string;
  value: string | null;
  ok: boolean;
  reason?: string;
}

export function applyParameters(tree: FdtTree, params: Array<{ name: string; value: string | null }>): { tree: FdtTree; results: ParamResult[] } {
  const out = cloneTree(tree);
  return { tree: out, results: params.map(({ name, value }) => applyParameter(out, name, value)) };
}

class ParamError extends Error {}

function applyParameter(tree: FdtTree, name: string, value: string | null): ParamResult {
  const declaration = childNamed(tree.root, '__overrides__')?.props.find((p) => p.name === name);
  if (!declaration) return { name, value, ok: false, reason: `no parameter ${name} in this tree's __overrides__` };
  // A parameter given without "=value" is an assignment of "true" (dtmerge, dtoverlay).
  const input = value ?? 'true';
  const reader = new DeclarationReader(declaration.value.slice(), name, tree);
  let applied = 0;
  try {
    for (let target = reader.next(input); target; target = reader.next(input)) {
      applyTarget(tree, name, target);
      applied++;
    }
    return { name, value, ok: true };
  } catch (error) {
    if (!(error instanceof ParamError)) throw error;
    const partly = applied > 0 ? ` (the ${applied} target(s) before it were applied)` : '';
    return { name, value, ok: false, reason: `${error.message}${partly}` };
  }
}

// ---- Decoding the override property -------------------------------------------------------------

type Target =
  | { kind: 'fragments'; ops: string; value: Value }
  | { kind: 'string' | 'bytes' | 'boolean' | 'inverted'; phandle: number; prop: string; value: Value }
  | { kind: 'integer'; phandle: number; prop: string; offset: number; size: number; value: Value };

/** The text assigned to one target; `cell` when it came from a cell literal (it may be a label reference). */
interface Value {
  text: string;
  cell?: { value: number; sourceOffset: number };
}

/** The declaration separators, in the firmware's order: the index of '.' ';' ':' '#' gives the integer's size. */
const SEPARATORS = '.;:#?![{=';
const INTEGER_SIZES: Record<string, number> = { '.': 1, ';': 2, ':': 4, '#': 8 };
const FLAG_KINDS: Record<string, 'boolean' | 'inverted' | 'bytes'> = { '?': 'boolean', '!': 'inverted', '[': 'bytes' };

class DeclarationReader {
  private at = 0;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly param: string,
    private readonly tree: FdtTree,
  ) {}

  get done(): boolean {
    return this.at >= this.bytes.length;
  }

  /** The next target with the value it gets from `userValue`; null at the end of the property. */
  next(userValue: string): Target | null {
    if (this.done) return null;
    // A phandle, at least one character and its NUL.
    if (this.bytes.length - this.at < 6) throw new ParamError(`the declaration of ${this.param} is truncated or mangled`);
    const phandleOffset = this.at;
    const phandle = this.cell().value;
    const spec = this.string();
    if (phandle === 0) return { kind: 'fragments', ops: spec, value: { text: userValue } };
    if (phandle >= 0x80000000) throw new ParamError(this.unresolvedTarget(phandleOffset));
    return this.target(phandle, spec, userValue);
  }

  cell(): { value: number; sourceOffset: number } {
    if (this.at + 4 > this.bytes.length) throw new ParamError(`the declaration of ${this.param} ends inside a cell`);
    const sourceOffset = this.at;
    const value = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.at, 4).getUint32(0, false);
    this.at += 4;
    return { value, sourceOffset };
  }

  string(): string {
    const end = this.bytes.indexOf(0, this.at);
    if (end < 0) throw new ParamError(`the declaration of ${this.param} has a string without its NUL`);
    const text = new TextDecoder().decode(this.bytes.subarray(this.at, end));
    this.at = end + 1;
    return text;
  }

  private target(phandle: number, spec: string, userValue: string): Target {
    const assignAt = firstOf(spec, '={');
    const nameEnd = firstOf(spec, SEPARATORS);
    const prop = spec.slice(0, nameEnd);
    const separator = nameEnd < assignAt ? spec[nameEnd]! : '';
    const flagKind = FLAG_KINDS[separator];
    const size = INTEGER_SIZES[separator];
    const kind = flagKind ?? (size ? 'integer' : 'string');
    let value: Value = { text: userValue };
    if (assignAt < spec.length) value = this.assigned(kind, spec[assignAt]!, spec.slice(assignAt + 1), userValue);
    if (kind === 'string' && prop === 'status') value = { text: statusWord(value.text) };
    if (kind !== 'integer') return { kind, phandle, prop, value };
    const offset = Number.parseInt(spec.slice(nameEnd + 1), 10) || 0;
    if (offset < 0) throw new ParamError(`negative offset in the declaration "${spec}" of ${this.param}`);
    return { kind, phandle, prop, offset, size: size!, value };
  }

  /** The value of a "=literal" or "{lookup}" declaration. */
  private assigned(kind: Target['kind'], operator: string, rest: string, userValue: string): Value {
    if (operator === '{') return lookup(this, rest, userValue, this.param);
    if (rest !== '' || kind === 'bytes') return { text: rest };
    // "prop=" then a string: a path, as dtc writes `"prop=",&label`; at the very end, the empty string.
    if (kind === 'string') return { text: this.done ? '' : this.string() };
    const cell = this.cell();
    return { text: String(cell.value), cell };
  }

  /** Why a target phandle cannot be followed: an unresolved label, named when __fixups__ knows it. */
  private unresolvedTarget(phandleOffset: number): string {
    const location = `/__overrides__:${this.param}:${phandleOffset}`;
    const label = childNamed(this.tree.root, '__fixups__')?.props.find((p) => stringList(p.value)?.includes(location))?.name;
    const what = label ? `label ${label}` : 'an unresolved phandle';
    return `the target of ${this.param} is ${what}, which is not in this tree (a parameter can only change the tree that declares it)`;
  }
}

/** The index of the first of `chars` in `text`, or its length. */
function firstOf(text: string, chars: string): number {
  let at = 0;
  while (at < text.length && !chars.includes(text[at]!)) at++;
  return at;
}

const STATUS_ON = ['y', 'yes', 'on', 'true', 'enable', '1'];
const STATUS_OFF = ['n', 'no', 'off', 'false', '0'];

/** `status` takes a boolean and stores it as the words the kernel knows; any other text is kept. */
function statusWord(text: string): string {
  if (STATUS_ON.includes(text)) return 'okay';
  if (STATUS_OFF.includes(text)) return 'disabled';
  return text;
}

/**
 * A lookup table `{key=value,key,=default,...}` applied to the parameter's value. The table may go
 * on across cells: a "key=" that ends its string takes the cell after it as the value, and the
 * table goes on in the next string. A bare key keeps the input; so does an empty entry, which the
 * documentation also spells as a leading or trailing comma. No match and no default is an error.
 */
function lookup(reader: DeclarationReader, table: string, key: string, param: string): Value {
  const choice = new LookupChoice(key);
  let text = table;
  let at = 0;
  while (at < text.length && text[at] !== '}') {
    const keyEnd = at + firstOf(text.slice(at), '=,}');
    const entryKey = text.slice(at, keyEnd);
    const separator = text[keyEnd];
    if (separator === '=' && keyEnd + 1 === text.length && !reader.done) {
      const cell = reader.cell();
      choice.offer(entryKey, { text: String(cell.value | 0), cell }, true);
      if (reader.done) return choice.result(param);
      [text, at] = [reader.string(), 0];
      continue;
    }
    const immediate = separator === '=' ? lookupImmediate(text, keyEnd + 1, param) : { value: null, end: keyEnd };
    choice.offer(entryKey, immediate.value === null ? null : { text: immediate.value }, separator !== undefined);
    at = text[immediate.end] === ',' ? immediate.end + 1 : immediate.end;
    if (text[immediate.end] === ',' && text[at] === '}') choice.offer('', null, true);
  }
  if (at >= text.length) throw new ParamError(`the lookup table of ${param} has no closing '}'`);
  if (at !== text.length - 1) throw new ParamError(`characters after the lookup table of ${param}`);
  return choice.result(param);
}

/** The entry a lookup picks: the first matching key, else the first default (an empty key). */
class LookupChoice {
  private found: 'no' | 'default' | 'match' = 'no';
  private value: Value;
  constructor(private readonly key: string) {
    this.value = { text: key };
  }

  offer(entryKey: string, value: Value | null, hasSeparator: boolean): void {
    if (this.found !== 'match' && entryKey !== '' && entryKey === this.key) this.found = 'match';
    else if (this.found === 'no' && entryKey === '' && hasSeparator) this.found = 'default';
    else return;
    this.value = value ?? { text: this.key };
  }

  result(param: string): Value {
    if (this.found === 'no') throw new ParamError(`'${this.key}' is not in the lookup table of ${param}`);
    return this.value;
  }
}

/** A value in a lookup table: 'quoted' (may hold commas and braces) or up to the next ',' or '}'. */
function lookupImmediate(text: string, from: number, param: string): { value: string; end: number } {
  if (text[from] !== "'") {
    const end = from + firstOf(text.slice(from), ',}');
    return { value: text.slice(from, end), end };
  }
  const close = text.indexOf("'", from + 1);
  if (close < 0) throw new ParamError(`an unterminated quoted string in the lookup table of ${param}`);
  return { value: text.slice(from + 1, close), end: close + 1 };
}

// ---- Applying one target ------------------------------------------------------------------------

interface NodeAt {
  node: FdtNode;
  path: string;
}

function applyTarget(tree: FdtTree, param: string, target: Target): void {
  if (target.kind === 'fragments') return applyFragmentOps(tree, target.ops, fragmentSwitch(target.value.text));
  const at = findByPhandle(tree.root, '/', target.phandle);
  if (!at) throw new ParamError(`phandle ${target.phandle} (the target of ${param}) is not in this tree`);
  switch (target.kind) {
    case 'string':
      return applyString(tree, at, target.prop, target.value.text);
    case 'bytes':
      return applyBytes(tree, at, target.prop, parseByteString(target.value.text));
    case 'boolean':
    case 'inverted':
      return applyBoolean(tree, at, target.prop, integerValue(target.value.text, target.prop) !== 0n, target.kind === 'inverted');
    case 'integer':
      return applyInteger(tree, param, at, target);
  }
}

function applyString(tree: FdtTree, at: NodeAt, prop: string, text: string): void {
  const bytes = unescape(text);
  if (prop === 'name') return renameNode(tree, at, new TextDecoder().decode(bytes));
  dropFixups(tree, at.path, prop);
  const existing = at.node.props.find((p) => p.name === prop)?.value;
  // bootargs is the kernel command line: parameters add to it rather than replace it.
  if (prop === 'bootargs' && existing && existing.length > 0 && existing[0] !== 0) {
    const joined = concatBytes(existing.subarray(0, existing.length - 1), Uint8Array.of(0x20), bytes, Uint8Array.of(0));
    return setProperty(at.node, prop, joined);
  }
  setProperty(at.node, prop, concatBytes(bytes, Uint8Array.of(0)));
}

function applyBytes(tree: FdtTree, at: NodeAt, prop: string, bytes: Uint8Array): void {
  dropFixups(tree, at.path, prop);
  setProperty(at.node, prop, bytes);
}

function applyBoolean(tree: FdtTree, at: NodeAt, prop: string, on: boolean, inverted: boolean): void {
  dropFixups(tree, at.path, prop);
  if (on !== inverted) setProperty(at.node, prop, new Uint8Array(0));
  else at.node.props = at.node.props.filter((p) => p.name !== prop);
}

function applyInteger(tree: FdtTree, param: string, at: NodeAt, target: Extract<Target, { kind: 'integer' }>): void {
  const { prop, offset, size } = target;
  const value = integerValue(target.value.text, prop);
  const existing = at.node.props.find((p) => p.name === prop)?.value;
  const fits = !!existing && existing.length >= offset + size;
  // "reg" is never created or grown: it only renames the node (below).
  if (fits || prop !== 'reg') {
    const bytes = new Uint8Array(Math.max(existing?.length ?? 0, offset + size));
    if (existing) bytes.set(existing);
    writeBigEndian(bytes, offset, size, value);
    setProperty(at.node, prop, bytes);
    if (size === 4) moveCellFixups(tree, param, target.value, at.path, prop, offset);
  }
  if (prop === 'reg' && offset === 0 && at.node.name.includes('@')) {
    const unitAddress = (value & 0xffffffffn).toString(16);
    renameNode(tree, at, `${at.node.name.slice(0, at.node.name.indexOf('@'))}@${unitAddress}`);
  }
}

function writeBigEndian(bytes: Uint8Array, offset: number, size: number, value: bigint): void {
  for (let i = size - 1, v = value; i >= 0; i--, v >>= 8n) bytes[offset + i] = Number(v & 0xffn);
}

/** "+N" enables fragment N, "-N" disables it, "=N" follows the value, "!N" its inverse. */
function applyFragmentOps(tree: FdtTree, ops: string, on: boolean): void {
  let rest = ops;
  while (rest.length > 0) {
    const match = /^([-+=!])(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(rest);
    if (!match) throw new ParamError(`invalid fragment operation '${rest}' in "${ops}"`);
    const op = match[1]!;
    const active = op === '+' || (op === '=' && on) || (op === '!' && !on);
    setFragmentActive(tree, Number(parseUnsigned(match[2]!)), active);
    rest = rest.slice(match[0].length);
  }
}

/** A fragment is active while its body is `__overlay__`, and left out of the merge as `__dormant__`. */
function setFragmentActive(tree: FdtTree, index: number, active: boolean): void {
  const fragment = childNamed(tree.root, `fragment@${index}`) ?? childNamed(tree.root, `fragment-${index}`);
  if (!fragment) throw new ParamError(`fragment ${index} not found`);
  const [from, to] = active ? ['__dormant__', '__overlay__'] : ['__overlay__', '__dormant__'];
  const body = childNamed(fragment, from);
  if (body) renameNode(tree, { node: body, path: `/${fragment.name}/${from}` }, to);
}

// ---- Values -------------------------------------------------------------------------------------

const BOOLEAN_WORDS = new Map<string, bigint>([
  ['y', 1n], ['yes', 1n], ['on', 1n], ['true', 1n], ['down', 1n],
  ['n', 0n], ['no', 0n], ['off', 0n], ['false', 0n],
  ['up', 2n], // "down" and "up" are the BCM2835 GPIO pull values, for pull parameters
]);

/** The value as the firmware reads an integer: C's strtoull base 0 (decimal, 0x hex, 0 octal) or a word. */
function parseInteger(text: string): bigint | null {
  if (text === '') return 0n;
  const match = /^\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (!match) return BOOLEAN_WORDS.get(text) ?? null;
  const max = (1n << 64n) - 1n;
  const magnitude = parseUnsigned(match[2]!);
  if (magnitude > max) return max;
  return match[1] === '-' ? BigInt.asUintN(64, -magnitude) : magnitude;
}

function parseUnsigned(digits: string): bigint {
  if (/^0[0-7]+$/.test(digits)) return BigInt(`0o${digits.slice(1)}`);
  return BigInt(digits);
}

function integerValue(text: string, prop: string): bigint {
  const value = parseInteger(text);
  if (value === null) throw new ParamError(`invalid value '${text}' for ${prop}: expected an integer (decimal or 0x hex) or on/off, yes/no, true/false`);
  return value;
}

/** Fragment switches take any non-empty text as true, where an integer target would refuse it. */
function fragmentSwitch(text: string): boolean {
  return (parseInteger(text) ?? 1n) !== 0n;
}

/** Hex byte pairs, optionally separated by ':' or blanks (a MAC address, "b8:27:eb:01:23:45"). */
function parseByteString(text: string): Uint8Array {
  const out: number[] = [];
  for (let at = 0; at < text.length; ) {
    if (': \t'.includes(text[at]!)) {
      at++;
      continue;
    }
    const pair = text.slice(at, at + 2);
    if (!/^[0-9a-fA-F]{2}$/.test(pair)) throw new ParamError(`invalid byte string at '${text.slice(at)}'`);
    out.push(Number.parseInt(pair, 16));
    at += 2;
  }
  return Uint8Array.from(out);
}

const SIMPLE_ESCAPES: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, "'": 39, '"': 34 };

/** C escapes in a string value (\n, \t, \\, \', \", \xNN, octal \NNN), as bytes; UTF-8 otherwise. */
function unescape(text: string): Uint8Array {
  const out: number[] = [];
  const encoder = new TextEncoder();
  for (let at = 0; at < text.length; ) {
    const slash = text.indexOf('\\', at);
    const plainEnd = slash < 0 ? text.length : slash;
    out.push(...encoder.encode(text.slice(at, plainEnd)));
    if (slash < 0) break;
    const escape = /^\\([0-7]{1,3}|x[0-9a-fA-F]{2}|.)/s.exec(text.slice(slash));
    const code = escape ? escapeCode(escape[1]!) : -1;
    if (!escape || code < 0 || code > 255) throw new ParamError(`invalid escape in '${text}'`);
    out.push(code);
    at = slash + escape[0].length;
  }
  return Uint8Array.from(out);
}

function escapeCode(body: string): number {
  if (/^[0-7]+$/.test(body)) return Number.parseInt(body, 8);
  if (/^x[0-9a-fA-F]{2}$/.test(body)) return Number.parseInt(body.slice(1), 16);
  return SIMPLE_ESCAPES[body] ?? -1;
}

// ---- Tree helpers -------------------------------------------------------------------------------

function cloneTree(tree: FdtTree): FdtTree {
  return { root: cloneNode(tree.root), reservations: tree.reservations.map((r) => ({ ...r })), bootCpuidPhys: tree.bootCpuidPhys };
}

function cloneNode(node: FdtNode): FdtNode {
  return { name: node.name, props: node.props.map((p) => ({ name: p.name, value: p.value.slice() })), children: node.children.map(cloneNode) };
}

function childNamed(node: FdtNode, name: string): FdtNode | undefined {
  return node.children.find((c) => c.name === name);
}

function childPath(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}

function findByPhandle(node: FdtNode, path: string, phandle: number): NodeAt | null {
  const own = node.props.find((p) => p.name === 'phandle' || p.name === 'linux,phandle');
  if (own && own.value.length === 4 && readU32(own.value, 0) === phandle) return { node, path };
  for (const child of node.children) {
    const found = findByPhandle(child, childPath(path, child.name), phandle);
    if (found) return found;
  }
  return null;
}

function readU32(bytes: Uint8Array, offset: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset + offset, 4).getUint32(0, false);
}

function setProperty(node: FdtNode, name: string, value: Uint8Array): void {
  const prop = node.props.find((p) => p.name === name);
  if (prop) prop.value = value;
  else node.props.push({ name, value });
}

function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function stringList(value: Uint8Array): string[] | null {
  if (value.length === 0 || value[value.length - 1] !== 0) return null;
  return new TextDecoder().decode(value.subarray(0, -1)).split('\0');
}

function encodeStringList(strings: string[]): Uint8Array {
  return new TextEncoder().encode(strings.map((s) => `${s}\0`).join(''));
}

// ---- Keeping __fixups__, __local_fixups__ and __symbols__ true ----------------------------------
// An overlay is merged later by path: its __fixups__ ("path:prop:offset" per label) and
// __local_fixups__ (offsets under a mirror of the node's path) must follow every edit here.

/**
 * Renames a node, and the paths that name it or a node below it in __fixups__, __symbols__ and
 * __local_fixups__ (a fragment's `__dormant__` body becomes `__overlay__`, "reg" moves a unit address).
 */
function renameNode(tree: FdtTree, at: NodeAt, name: string): void {
  const oldPath = at.path;
  if (oldPath === '/') throw new ParamError('the root node cannot be renamed');
  const newPath = childPath(oldPath.slice(0, oldPath.lastIndexOf('/')) || '/', name);
  const mirror = localFixupsNode(tree, oldPath);
  at.node.name = name;
  if (mirror && mirror !== at.node) mirror.name = name;
  for (const holder of ['__fixups__', '__local_fixups__', '__symbols__']) {
    for (const prop of childNamed(tree.root, holder)?.props ?? []) renamePaths(prop, oldPath, newPath);
  }
}

function renamePaths(prop: FdtProp, oldPath: string, newPath: string): void {
  const strings = stringList(prop.value);
  if (!strings) return;
  const under = (s: string) => s === oldPath || s.startsWith(`${oldPath}:`) || s.startsWith(`${oldPath}/`);
  if (!strings.some(under)) return;
  prop.value = encodeStringList(strings.map((s) => (under(s) ? newPath + s.slice(oldPath.length) : s)));
}

function localFixupsNode(tree: FdtTree, path: string, create = false): FdtNode | null {
  let node = childNamed(tree.root, '__local_fixups__');
  if (!node) return null;
  for (const part of path.split('/').filter(Boolean)) {
    let next = childNamed(node, part);
    if (!next && create) node.children.push((next = { name: part, props: [], children: [] }));
    if (!next) return null;
    node = next;
  }
  return node;
}

/** The property is rewritten whole: the label references recorded inside it are gone. */
function dropFixups(tree: FdtTree, path: string, prop: string): void {
  removeFixups(tree, (loc) => loc.startsWith(`${path}:${prop}:`));
  const mirror = localFixupsNode(tree, path);
  if (mirror) mirror.props = mirror.props.filter((p) => p.name !== prop);
}

function removeFixups(tree: FdtTree, matches: (location: string) => boolean): void {
  const fixups = childNamed(tree.root, '__fixups__');
  if (!fixups) return;
  for (const prop of fixups.props) {
    const strings = stringList(prop.value);
    if (strings?.some(matches)) prop.value = encodeStringList(strings.filter((s) => !matches(s)));
  }
  fixups.props = fixups.props.filter((p) => p.value.length > 0);
}

/**
 * A 32-bit cell was written at path:prop:offset. Whatever reference was recorded there is
 * overwritten; a cell literal that is itself a reference (`"target:0=",<&i2c0>`) takes its record
 * along, so the merge resolves the label at its new place.
 */
function moveCellFixups(tree: FdtTree, param: string, value: Value, path: string, prop: string, offset: number): void {
  const location = `${path}:${prop}:${offset}`;
  removeFixups(tree, (loc) => loc === location);
  editLocalFixupOffsets(tree, path, prop, (offsets) => offsets.filter((o) => o !== offset));
  if (!value.cell) return;
  const source = `/__overrides__:${param}:${value.cell.sourceOffset}`;
  for (const fixup of childNamed(tree.root, '__fixups__')?.props ?? []) {
    const strings = stringList(fixup.value);
    if (strings?.includes(source)) fixup.value = encodeStringList([...strings, location]);
  }
  const local = localFixupsNode(tree, '/__overrides__')?.props.find((p) => p.name === param)?.value;
  if (local && cellOffsets(local).includes(value.cell.sourceOffset)) {
    editLocalFixupOffsets(tree, path, prop, (offsets) => [...offsets, offset].sort((a, b) => a - b), true);
  }
}

function editLocalFixupOffsets(tree: FdtTree, path: string, prop: string, edit: (offsets: number[]) => number[], create = false): void {
  const mirror = localFixupsNode(tree, path, create);
  if (!mirror) return;
  const existing = mirror.props.find((p) => p.name === prop)?.value;
  const offsets = edit(existing ? cellOffsets(existing) : []);
  mirror.props = mirror.props.filter((p) => p.name !== prop);
  if (offsets.length === 0) return;
  const bytes = new Uint8Array(offsets.length * 4);
  offsets.forEach((o, i) => writeBigEndian(bytes, i * 4, 4, BigInt(o)));
  mirror.props.push({ name: prop, value: bytes });
}

function cellOffsets(value: Uint8Array): number[] {
  const out: number[] = [];
  for (let at = 0; at + 4 <= value.length; at += 4) out.push(readU32(value, at));
  return out;
}
