// Runs a grub.cfg far enough to learn its menu: variables, `search --set`, conditions it can
// decide, functions, `source`/`configfile`/`load_env`/`blscfg`, and each menuentry's body for its
// linux/initrd/devicetree lines. It never writes, never reads outside the source, and stops at
// fixed bounds so a hostile disk cannot hang it or fill the memory: one work budget charged for
// every statement, loop turn, expanded character and file read; caps on a variable's length, on
// the fields one expansion makes, on how many variables, configs and entries there are.
//
// Conditions it cannot decide (they depend on the machine GRUB runs on, e.g. $grub_platform)
// run every branch that might be taken, in order, so the last `set`/`search`/`linux` wins, the
// way a normal boot that takes the later branch would see it; a menu entry whose label an earlier
// branch of the same `if` already produced is not produced again.
//
// A menuentry's body runs when the entry is defined, with a copy of the variables as they are
// then (GRUB runs it when the entry is chosen; configs set what entries use before defining
// them). A submenu's body (and a configfile) starts from the exported variables only, as in GRUB.
import { sourcePathParts } from './source-path.js';
import type { MenuNode } from './grub-default.js';
import { boundedLabel } from './label.js';
import { capFiles, ENTRY_CAP } from './limits.js';
import { ProblemLog } from './problems.js';
import { escapeDialectOf } from './grub-dialect.js';
import { type GrubEnvResult, parseGrubEnv } from './grub-env.js';
import { type EscapeDialect, lexGrub, plainText, type Word } from './grub-lexer.js';
import { parseSearch } from './grub-search.js';
import { ScriptReader, type Stmt } from './grub-syntax.js';
import { evaluateTest, type TestArg, type Tri } from './grub-test.js';
import { expandWildcard, patternText, type WildcardPattern } from './grub-wildcard.js';
import type { DeviceRef, FileRef, ParseContext, ParsedEntry, ParseResult } from './types.js';

export type BlsImporter = (
  ctx: ParseContext,
  options: { dirs?: string[]; expand?: (text: string) => string; defaultId?: string | null },
) => ParseResult;

export const MAX_INCLUDE_DEPTH = 8;
const MAX_CALL_DEPTH = 16;
const MAX_CACHED_PATHS = 4096;
/** What splits an unquoted variable's value into fields. */
const FIELD_SEPARATORS = /[ \t\n]+/;
const HAS_FIELD_SEPARATOR = /[ \t\n]/;
const WILDCARD_CHAR = /[*?]/;

/** What one source's GRUB configs may cost (a Debian grub.cfg runs in a few thousand units). */
export const GRUB_LIMITS = {
  /** Statements, loop turns, expanded characters (per 64), file reads (per 64 bytes) together. */
  work: 250_000,
  /** Characters of one variable's value or one expanded word. */
  valueChars: 64 * 1024,
  /** Fields one list of words may expand to (a `for` over more is not a boot menu). */
  fields: 65_536,
  /** Paths one wildcard word may expand to (each directory it reads costs work too). */
  wildcardMatches: 1024,
  variables: 4096,
  /** `source` and `configfile` runs, all configs together. */
  includes: 64,
  blscfg: 4,
  /** Function calls, all together (Debian's configs call one or two per entry). */
  calls: 20_000,
  entries: ENTRY_CAP,
} as const;

/** Variables whose value depends on the machine GRUB runs on: conditions on them are undecidable. */
const MACHINE_VARIABLES = new Set(['grub_platform', 'grub_cpu', 'cmdpath', 'net_default_server', 'pxe_default_server']);

const LINUX = new Set(['linux', 'linux16', 'linuxefi']);
const INITRD = new Set(['initrd', 'initrd16', 'initrdefi']);
/** Loaders and actions that make an entry something other than a Linux kernel. */
const OTHER_LOADERS = new Set([
  'chainloader', 'multiboot', 'multiboot2', 'kfreebsd', 'knetbsd', 'kopenbsd', 'appleloader', 'xnu_kernel',
  'xnu_kernel64', 'ntldr', 'freedos', 'plan9', 'legacy_kernel', 'truecrypt', 'fwsetup', 'reboot', 'halt',
]);
/** Of those, the ones that are menu actions rather than another system to boot. */
const MENU_ACTIONS = new Set(['fwsetup', 'reboot', 'halt', 'configfile']);

interface Var {
  value: string;
  /** Depends on the machine (or on a device search): conditions on it cannot be decided. */
  unknown: boolean;
}

interface Field {
  text: string;
  unknown: boolean;
  /** The field as a wildcard reads it, when it holds `*` or `?` from outside quotes. */
  pattern?: WildcardPattern;
}

/**
 * The variables as a script sees them. A copy (every menu entry runs on one) shares the maps with
 * its original until either side writes: most entry bodies only read.
 */
class Env {
  private owned = true;

  constructor(
    private vars = new Map<string, Var>(),
    private exported = new Set<string>(),
  ) {}

  get size(): number {
    return this.vars.size;
  }

  get exportedCount(): number {
    return this.exported.size;
  }

  get(name: string): Var | undefined {
    return this.vars.get(name);
  }

  has(name: string): boolean {
    return this.vars.has(name);
  }

  set(name: string, value: Var, exported: boolean): void {
    this.own();
    this.vars.set(name, value);
    if (exported) this.exported.add(name);
  }

  delete(name: string): void {
    if (!this.vars.has(name)) return;
    this.own();
    this.vars.delete(name);
  }

  export(name: string): void {
    if (this.exported.has(name)) return;
    this.own();
    this.exported.add(name);
  }

  /** A copy for a menu entry's body, and what to call once that copy is gone (the maps come back). */
  borrow(): { copy: Env; done: () => void } {
    const owned = this.owned;
    const copy = new Env(this.vars, this.exported);
    copy.owned = false;
    this.owned = false;
    return { copy, done: () => (this.owned = owned) };
  }

  exportedOnly(): Env {
    const env = new Env();
    for (const name of this.exported) {
      const v = this.vars.get(name);
      if (v) env.vars.set(name, v);
      env.exported.add(name);
    }
    return env;
  }

  private own(): void {
    if (this.owned) return;
    this.vars = new Map(this.vars);
    this.exported = new Set(this.exported);
    this.owned = true;
  }
}

interface Frame {
  /** Source path of the file whose statements are running. */
  file: string;
  dir: string;
  /** Canonical paths of the files being run, outermost first (loop detection). */
  chain: string[];
  args: string[];
}

interface EntryDraft {
  kernel: FileRef | null;
  cmdline: string;
  initrd: FileRef[];
  dtb: FileRef | null;
  /** A non-Linux loader or action the body used (chainloader, fwsetup, ...). */
  otherLoader: string | null;
  /** A problem already reported for this entry: do not produce it. */
  broken: boolean;
}

export interface Menu {
  file: string;
  /** Menus read while running one top-level config share a group. */
  group: number;
  nodes: MenuNode[];
  defaultSpec: Var | null;
}

interface Level {
  nodes: MenuNode[];
  labelPrefix: string;
}

interface BranchGuard {
  earlier: Set<string>;
  current: Set<string>;
}

export class GrubInterpreter {
  readonly entries: ParsedEntry[] = [];
  readonly problems = new ProblemLog();
  readonly menus: Menu[] = [];
  /** Canonical paths of every config file read so far. */
  readonly visited = new Set<string>();

  private env = new Env();
  private readonly predefined = new Map<string, string>();
  private level: Level = { nodes: [], labelPrefix: '' };
  private frame: Frame = { file: '', dir: '/', chain: [], args: [] };
  private entry: EntryDraft | null = null;
  private readonly functions = new Map<string, { body: Stmt[]; file: string; dir: string }>();
  private readonly devices = new Map<string, DeviceRef>();
  private readonly deviceNames = new Map<string, string>();
  private guards: BranchGuard[] = [];
  /** The GRUB build the configs of this run are for: once one shows Red Hat's, the rest are read as it would. */
  private dialect: EscapeDialect = 'gnu';
  private work = 0;
  private includes = 0;
  private blscfgRuns = 0;
  private callDepth = 0;
  private calls = 0;
  /** Loops running around the statement being run (a function or menu entry body starts from none). */
  private loopDepth = 0;
  /** Loops a `break N`/`continue N` still has to leave; the lists it is in stop until then. */
  private breaks = 0;
  private continuing = false;
  /** Limits already reported, each said once. */
  private readonly said = new Set<string>();
  private stopped = false;
  /** Files read, by the path named: a loop over `load_env` reads its file once. */
  private readonly readCache = new Map<string, { text: string; path: string; canonical: string }>();
  private readonly envCache = new Map<string, GrubEnvResult>();
  private readonly pathCache = new Map<string, { ref: FileRef } | { error: string }>();
  /** Whether a value holds `*` or `?`, read once per value (a loop expands the same long values over and over). */
  private readonly wildcardValues = new WeakMap<Var, boolean>();

  constructor(
    private readonly ctx: ParseContext,
    private readonly importBls: BlsImporter | null,
  ) {}

  /** Sets a variable for every config run, as the GRUB that reads it would have (loopback.cfg's `iso_path`). */
  define(name: string, value: string): void {
    this.predefined.set(name, value);
  }

  /** Runs one top-level grub.cfg (unless another config already read it). */
  runConfig(path: string, group: number): void {
    const canonical = this.ctx.files.canonical(path) ?? path;
    if (this.visited.has(canonical)) return;
    const read = this.ctx.files.read(path);
    if (!read.ok) {
      this.problem(path, null, read.message);
      return;
    }
    this.visited.add(canonical);
    const dir = dirname(path);
    this.env = new Env();
    this.setVar('prefix', { value: dir, unknown: false }, true);
    this.setVar('root', { value: '', unknown: true }, true);
    for (const [name, value] of this.predefined) this.setVar(name, { value, unknown: false }, true);
    this.frame = { file: path, dir, chain: [canonical], args: [] };
    this.guards = [];
    this.functions.clear();
    this.dialect = escapeDialectOf(read.text);
    this.runMenu(read.text, path, group);
  }

  private runMenu(text: string, file: string, group: number): void {
    this.setVar('config_file', { value: file, unknown: false }, true);
    this.setVar('config_directory', { value: dirname(file), unknown: false }, true);
    const menu: Menu = { file, group, nodes: [], defaultSpec: null };
    this.menus.push(menu);
    this.level = { nodes: menu.nodes, labelPrefix: '' };
    this.runScript(text, file);
    menu.defaultSpec = this.env.get('default') ?? null;
  }

  /** Runs each top-level statement as soon as it is read; what was wrong with the text comes after. */
  private runScript(text: string, file: string): void {
    const reader = new ScriptReader(text, this.dialect);
    for (let stmt = reader.next(); stmt && !this.stopped; stmt = reader.next()) this.runStatement(stmt);
    for (const p of reader.problems) this.problem(file, p.line, p.message);
  }

  private problem(file: string | null, line: number | null, message: string): void {
    this.problems.push({ file, line, message });
  }

  /** Reports a limit once per run of the interpreter. */
  private limit(key: string, line: number | null, message: string): void {
    if (this.said.has(key)) return;
    this.said.add(key);
    this.problem(this.frame.file, line, message);
  }

  /** Spends `units` of the work budget; false (and the script stops) once it is gone. */
  private charge(units: number, line: number | null): boolean {
    if (this.stopped) return false;
    this.work += units;
    if (this.work <= GRUB_LIMITS.work) return true;
    this.stopped = true;
    this.limit('work', line, `stopped: the config did more work than a boot menu needs (${GRUB_LIMITS.work} steps; a loop without end?)`);
    return false;
  }

  // ---- statements ----

  private runList(stmts: Stmt[]): Tri {
    let status: Tri = true;
    for (const stmt of stmts) {
      if (this.stopped) return null;
      if (this.breaks > 0) return status;
      status = this.runStatement(stmt);
    }
    return status;
  }

  private runStatement(stmt: Stmt): Tri {
    if (!this.charge(1, stmt.line)) return null;
    switch (stmt.kind) {
      case 'command':
        return this.runCommand(stmt.words, stmt.line);
      case 'if':
        return this.runIf(stmt);
      case 'menuentry':
        return this.runMenuentry(stmt);
      case 'function':
        this.functions.set(stmt.name, { body: stmt.body, file: this.frame.file, dir: this.frame.dir });
        return true;
      case 'for':
        return this.runFor(stmt);
      case 'while':
        return this.runWhile(stmt);
      case 'block':
        return this.runList(stmt.body);
    }
  }

  private runFor(stmt: Extract<Stmt, { kind: 'for' }>): Tri {
    let status: Tri = true;
    this.loopDepth++;
    try {
      for (const item of this.expandWords(stmt.items, stmt.line)) {
        if (!this.charge(1, stmt.line)) return null;
        this.setVar(stmt.name, { value: item.text, unknown: item.unknown });
        status = this.runList(stmt.body);
        if (this.loopEnds()) break;
      }
    } finally {
      this.loopDepth--;
    }
    return status;
  }

  /**
   * Turns until the condition fails (`until`: succeeds), each charged like a `for` turn, so a loop
   * without end stops at the work budget. A condition kexmenu cannot decide runs the body once,
   * the way an undecidable `if` runs its branch.
   */
  private runWhile(stmt: Extract<Stmt, { kind: 'while' }>): Tri {
    let status: Tri = true;
    this.loopDepth++;
    try {
      for (;;) {
        if (!this.charge(1, stmt.line)) return null;
        const cond = this.runList(stmt.cond);
        const again = stmt.until ? negate(cond) : cond;
        if (again === false || this.stopped) break;
        status = this.runList(stmt.body);
        if (this.loopEnds() || again === null) break;
      }
    } finally {
      this.loopDepth--;
    }
    return status;
  }

  /** A body GRUB runs later, on its own (a menu entry's, a submenu's): loops around it are not its loops. */
  private outsideLoops(body: Stmt[]): Tri {
    const loopDepth = this.loopDepth;
    this.loopDepth = 0;
    try {
      return this.runList(body);
    } finally {
      this.loopDepth = loopDepth;
    }
  }

  /** After one turn of a loop: true when a `break` (or a `continue` meant for an outer loop) ends it. */
  private loopEnds(): boolean {
    if (this.breaks === 0) return false;
    if (this.continuing && this.breaks === 1) {
      this.breaks = 0;
      return false;
    }
    this.breaks--;
    return true;
  }

  /** `break [N]` / `continue [N]`: N loops out (at most as many as run), as GRUB counts them. */
  private commandBreak(name: string, args: string[], line: number): Tri {
    const count = args.length === 0 ? 1 : /^\d+$/.test(args[0]!) ? Number(args[0]) : 0;
    if (args.length > 1 || count === 0) {
      this.problem(this.frame.file, line, `${name} ${args.join(' ')}: not a number of loops`);
      return false;
    }
    this.breaks = Math.min(count, this.loopDepth);
    this.continuing = name === 'continue';
    return true;
  }

  private runIf(stmt: Extract<Stmt, { kind: 'if' }>): Tri {
    const branches: Stmt[][] = [];
    let decided = false;
    for (const clause of stmt.clauses) {
      const status = this.runList(clause.cond);
      if (status === true) {
        branches.push(clause.body);
        decided = true;
        break;
      }
      if (status === null) branches.push(clause.body);
    }
    if (!decided && stmt.otherwise) branches.push(stmt.otherwise);
    if (branches.length <= 1) return branches[0] ? this.runList(branches[0]) : true;

    const guard: BranchGuard = { earlier: new Set(), current: new Set() };
    this.guards.push(guard);
    try {
      for (const branch of branches) {
        this.runList(branch);
        for (const label of guard.current) guard.earlier.add(label);
        guard.current.clear();
      }
    } finally {
      this.guards.pop();
    }
    return null;
  }

  /** False when an earlier branch of an undecidable `if` already produced this label. */
  private claimLabel(label: string): boolean {
    if (this.guards.some((g) => g.earlier.has(label))) return false;
    for (const g of this.guards) g.current.add(label);
    return true;
  }

  private runMenuentry(stmt: Extract<Stmt, { kind: 'menuentry' }>): Tri {
    if (this.entry) return true; // a menu defined while an entry runs is a menu GRUB shows later; not ours
    if (this.entries.length >= GRUB_LIMITS.entries) {
      this.stopped = true;
      this.limit('entries', stmt.line, `more than ${GRUB_LIMITS.entries} menu entries: the rest are not read`);
      return null;
    }
    const args = readMenuentryArgs(this.expandWords(stmt.args, stmt.line).map((f) => f.text));
    if (args.title === null) {
      this.problem(this.frame.file, stmt.line, `${stmt.submenu ? 'submenu' : 'menuentry'} without a title`);
      return false;
    }
    const label = boundedLabel(this.level.labelPrefix + args.title);
    if (!this.claimLabel(label)) return true;

    if (stmt.submenu) {
      const node: MenuNode = { kind: 'submenu', title: args.title, id: args.id, children: [] };
      this.level.nodes.push(node);
      const saved = { env: this.env, level: this.level, frame: this.frame };
      if (!this.charge(1 + (this.env.exportedCount >> 6), stmt.line)) return null;
      this.env = this.env.exportedOnly();
      this.level = { nodes: node.children, labelPrefix: `${label} > ` };
      this.frame = { ...this.frame, args: [args.title, ...args.rest] };
      try {
        this.outsideLoops(stmt.body);
      } finally {
        this.env = saved.env;
        this.level = saved.level;
        this.frame = saved.frame;
      }
      return true;
    }

    const node: Extract<MenuNode, { kind: 'entry' }> = { kind: 'entry', title: args.title, id: args.id, entry: null };
    this.level.nodes.push(node);
    const draft: EntryDraft = { kernel: null, cmdline: '', initrd: [], dtb: null, otherLoader: null, broken: false };
    const saved = { env: this.env, frame: this.frame };
    // Each entry runs on a copy of the variables: with thousands of them, copying is the work.
    if (!this.charge(1 + (this.env.size >> 6), stmt.line)) return null;
    const borrowed = this.env.borrow();
    this.env = borrowed.copy;
    this.frame = { ...this.frame, args: [args.title, ...args.rest] }; // GRUB's $1 is the title
    this.entry = draft;
    try {
      this.outsideLoops(stmt.body);
    } finally {
      this.entry = null;
      this.env = saved.env;
      borrowed.done(); // nothing keeps the entry's copy
      this.frame = saved.frame;
    }
    const parsed = this.finishEntry(draft, label, stmt.line);
    if (parsed) {
      node.entry = this.entries.length;
      this.entries.push(parsed);
    }
    return true;
  }

  /**
   * Entries that boot another system (chainloader, multiboot, ...) are left out with the reason;
   * firmware settings, reboot and the like, and entries that load nothing, silently: they are
   * normal in a menu. An entry that loads an initrd or a device tree but no kernel is a broken
   * Linux entry, and says so.
   */
  private finishEntry(draft: EntryDraft, label: string, line: number): ParsedEntry | null {
    if (draft.broken) return null;
    if (!draft.kernel) {
      if (draft.otherLoader && !MENU_ACTIONS.has(draft.otherLoader)) {
        this.problem(this.frame.file, line, `menu entry "${label}" boots with ${draft.otherLoader}, which starts no kernel kexec can load (only Linux and programs that speak its boot protocol): not listed`);
      } else if (!draft.otherLoader && (draft.initrd.length > 0 || draft.dtb)) {
        this.problem(this.frame.file, line, `menu entry "${label}" has no linux line: skipped`);
      }
      return null;
    }
    return {
      label,
      kernel: draft.kernel,
      initrd: draft.initrd,
      dtb: draft.dtb,
      fdtdir: null,
      overlays: [],
      cmdline: draft.cmdline,
      isDefault: false,
      origin: { format: 'grub', file: this.frame.file, line },
    };
  }

  // ---- commands ----

  private runCommand(words: Word[], line: number): Tri {
    const first = words[0];
    if (!first) return true;
    if (!this.charge(1 + (first.parts[0]?.kind === 'text' ? first.parts[0].text.length >> 6 : 0), line)) return null;
    const assignment = splitAssignment(first);
    if (assignment) {
      const value = this.expandWord(assignment.value, line);
      this.setVar(assignment.name, { value: value.map((f) => f.text).join(' '), unknown: value.some((f) => f.unknown) }, false, line);
      return true;
    }
    const fields = this.expandWords(words, line);
    if (fields[0]?.text === '!') return negate(this.runCommandFields(fields.slice(1), line));
    return this.runCommandFields(fields, line);
  }

  private runCommandFields(fields: Field[], line: number): Tri {
    const name = fields[0]?.text;
    if (name === undefined) return true;
    const args = fields.slice(1);
    const texts = args.map((f) => f.text);
    const fn = this.functions.get(name);
    if (fn) return this.callFunction(name, fn, texts, line);
    switch (name) {
      case 'set':
        return this.commandSet(args, line);
      case 'unset':
        for (const n of texts) this.env.delete(n);
        return true;
      case 'export':
        for (const n of texts) this.env.export(n);
        return true;
      case 'true':
        return true;
      case 'false':
        return false;
      case '[':
        if (texts[texts.length - 1] !== ']') {
          this.problem(this.frame.file, line, '"[" without a closing "]"');
          return false;
        }
        return this.test(args.slice(0, -1));
      case 'test':
        return this.test(args);
      case 'load_env':
        return this.commandLoadEnv(texts, line);
      case 'source':
      case '.':
        return this.include('source', texts[0], line);
      case 'configfile':
        if (this.entry) {
          // An entry that opens another menu: not a kernel of its own.
          this.entry.otherLoader = 'configfile';
          return true;
        }
        return this.include('configfile', texts[0], line);
      case 'blscfg':
        return this.commandBlscfg(line);
      case 'break':
      case 'continue':
        return this.commandBreak(name, texts, line);
      default:
        if (name === 'search' || name.startsWith('search.')) return this.commandSearch(name, texts, line);
        if (this.entry) return this.entryCommand(this.entry, name, texts, line);
        return null;
    }
  }

  private callFunction(name: string, fn: { body: Stmt[]; file: string; dir: string }, args: string[], line: number): Tri {
    // Said once (either way): a function that calls itself twice would say it thousands of times.
    if (this.callDepth >= MAX_CALL_DEPTH) {
      this.limit('calls', line, `function ${name}: calls nested more than ${MAX_CALL_DEPTH} deep are not run`);
      return false;
    }
    // Depth alone allows 2^16 calls of a function that calls itself twice.
    if (++this.calls > GRUB_LIMITS.calls) {
      this.limit('calls', line, `function ${name}: more than ${GRUB_LIMITS.calls} function calls: the rest are not run`);
      return false;
    }
    const saved = this.frame;
    this.frame = { ...saved, file: fn.file, dir: fn.dir, args };
    this.callDepth++;
    try {
      return this.outsideLoops(fn.body);
    } finally {
      this.callDepth--;
      this.frame = saved;
    }
  }

  private commandSet(args: Field[], line: number): Tri {
    const arg = args[0];
    if (!arg) return true;
    const eq = arg.text.indexOf('=');
    if (eq <= 0) return true;
    this.setVar(arg.text.slice(0, eq), { value: arg.text.slice(eq + 1), unknown: arg.unknown }, false, line);
    return true;
  }

  private setVar(name: string, value: Var, exported = false, line: number | null = null): void {
    if (!this.env.has(name) && this.env.size >= GRUB_LIMITS.variables) {
      this.limit('variables', line, `more than ${GRUB_LIMITS.variables} variables: the rest are not set`);
      return;
    }
    let v = value;
    if (v.value.length > GRUB_LIMITS.valueChars) {
      this.limit('value', line, `a value longer than ${GRUB_LIMITS.valueChars} characters is cut to that length`);
      v = { ...v, value: v.value.slice(0, GRUB_LIMITS.valueChars) };
    }
    this.env.set(name, v, exported);
  }

  private test(args: Field[]): Tri {
    const testArgs: TestArg[] = args.map((f) => ({ text: f.text, unknown: f.unknown }));
    return evaluateTest(testArgs, (op, path) => {
      // A file test is answered from this source, even after `search` pointed root elsewhere:
      // the device found is almost always this partition, and guessing "unknown" would make
      // every guarded `source` look like a missing file.
      const ref = this.resolvePath(path, '/');
      if ('error' in ref) return false;
      const st = this.ctx.files.stat(ref.ref.path);
      if (op === '-e') return st !== null;
      if (op === '-d') return st?.type === 'dir';
      if (op === '-f') return st?.type === 'file';
      return st?.type === 'file' && st.size > 0;
    });
  }

  private commandSearch(name: string, args: string[], line: number): Tri {
    const spec = parseSearch(name, args);
    if ('error' in spec) {
      this.problem(this.frame.file, line, spec.error);
      return false;
    }
    if (spec.variable === null) return null;
    if (spec.by === null) {
      this.problem(this.frame.file, line, `search --${spec.how} ${spec.value}: kexmenu cannot name that device; paths stay on this partition`);
      this.setVar(spec.variable, { value: '', unknown: true });
      return null;
    }
    this.setVar(spec.variable, { value: this.deviceName({ by: spec.by, value: spec.value }), unknown: true });
    return null;
  }

  /** A GRUB device name standing for a searched device, so `($root)` and copies of it resolve. */
  private deviceName(device: DeviceRef): string {
    const key = `${device.by}\u0000${device.value}`;
    let name = this.deviceNames.get(key);
    if (!name) {
      name = `kexmenu-search-${this.deviceNames.size + 1}`;
      this.deviceNames.set(key, name);
      this.devices.set(name, device);
    }
    return name;
  }

  private commandLoadEnv(args: string[], line: number): Tri {
    let file: string | null = null;
    const names: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a === '-f' || a === '--file') file = args[++i] ?? null;
      else if (a.startsWith('--file=')) file = a.slice('--file='.length);
      else if (a === '-s' || a === '--skip-sig') continue;
      else names.push(a);
    }
    const target = file ?? `${this.varValue('prefix')}/grubenv`;
    const text = this.readConfigFile('load_env', target, line);
    if (text === null) return false;
    let env = this.envCache.get(text.canonical);
    if (!env) {
      env = parseGrubEnv(text.text);
      this.envCache.set(text.canonical, env);
    }
    if (!this.charge(1 + (env.ok ? env.vars.size : 0), line)) return null;
    if (!env.ok) {
      this.problem(text.path, null, env.message);
      return false;
    }
    for (const [name, value] of env.vars) {
      if (names.length === 0 || names.includes(name)) this.setVar(name, { value, unknown: false }, false, line);
    }
    return true;
  }

  private include(kind: 'source' | 'configfile', target: string | undefined, line: number): Tri {
    if (!target) {
      this.problem(this.frame.file, line, `${kind} without a file`);
      return false;
    }
    if (this.frame.chain.length >= MAX_INCLUDE_DEPTH) {
      this.problem(this.frame.file, line, `${kind} ${target}: more than ${MAX_INCLUDE_DEPTH} configs deep, not read`);
      return false;
    }
    if (++this.includes > GRUB_LIMITS.includes) {
      this.limit('includes', line, `more than ${GRUB_LIMITS.includes} source/configfile commands: the rest are not read`);
      return false;
    }
    const read = this.readConfigFile(kind, target, line);
    if (read === null) return false;
    if (this.frame.chain.includes(read.canonical)) {
      this.problem(this.frame.file, line, `${kind} loop: ${[...this.frame.chain, read.canonical].join(' -> ')}`);
      return false;
    }
    // An ESP stub's configfile often names the grub.cfg already read as a config of its own.
    if (kind === 'configfile' && this.visited.has(read.canonical)) return true;
    this.visited.add(read.canonical);
    if (this.dialect === 'gnu') this.dialect = escapeDialectOf(read.text);
    const savedFrame = this.frame;
    this.frame = { file: read.path, dir: dirname(read.path), chain: [...savedFrame.chain, read.canonical], args: savedFrame.args };
    if (kind === 'source') {
      try {
        this.runScript(read.text, read.path);
      } finally {
        this.frame = savedFrame;
      }
      return true;
    }
    const saved = { env: this.env, level: this.level, guards: this.guards };
    this.env = this.env.exportedOnly();
    this.guards = [];
    const group = this.menus[this.menus.length - 1]?.group ?? 0;
    try {
      this.runMenu(read.text, read.path, group);
    } finally {
      this.env = saved.env;
      this.level = saved.level;
      this.guards = saved.guards;
      this.frame = savedFrame;
    }
    return true;
  }

  /** Reads a config-like file a command names; null (with a problem) when it cannot. */
  private readConfigFile(what: string, target: string, line: number): { text: string; path: string; canonical: string } | null {
    const resolved = this.resolvePath(target, this.frame.dir);
    if ('error' in resolved) {
      this.problem(this.frame.file, line, `${what} ${target}: ${resolved.error}`);
      return null;
    }
    const { path, device } = resolved.ref;
    const cached = this.readCache.get(path);
    if (cached) return cached;
    const found = this.ctx.files.resolve(path);
    if (device && !(found.ok && found.type === 'file')) {
      this.problem(this.frame.file, line, `${what} ${path}: on the device with ${device.by} ${device.value}, not on this partition`);
      return null;
    }
    const read = this.ctx.files.read(path);
    if (!read.ok) {
      this.problem(this.frame.file, line, `${what}: ${read.message}`);
      return null;
    }
    if (!this.charge(1 + (read.text.length >> 6), line)) return null;
    const text = { text: read.text, path, canonical: found.ok ? found.path : path };
    this.readCache.set(path, text);
    return text;
  }

  private commandBlscfg(line: number): Tri {
    if (this.entry) return true;
    if (!this.importBls) {
      this.problem(this.frame.file, line, 'blscfg: Boot Loader Spec entries are not read by this build');
      return false;
    }
    if (++this.blscfgRuns > GRUB_LIMITS.blscfg) {
      this.limit('blscfg', line, `blscfg run more than ${GRUB_LIMITS.blscfg} times: the rest are skipped`);
      return false;
    }
    const blsdir = this.env.get('blsdir')?.value;
    const dirs = blsdir ? [blsdir] : ['/loader/entries', '/boot/loader/entries'];
    const wanted = this.env.get('default')?.value ?? '';
    const result = this.importBls(this.ctx, {
      dirs,
      expand: (text) => this.expandText(text),
      defaultId: wanted !== '' && !/^\d+$/.test(wanted) ? wanted : null,
    });
    for (const p of result.problems) this.problems.push(p);
    if (!this.charge(1 + result.entries.length, line)) return null;
    for (const entry of result.entries) {
      if (this.entries.length >= GRUB_LIMITS.entries) break;
      if (!this.claimLabel(this.level.labelPrefix + entry.label)) continue;
      this.level.nodes.push({ kind: 'entry', title: entry.label, id: blsIdOf(entry.origin.file), entry: this.entries.length });
      this.entries.push({ ...entry, label: boundedLabel(this.level.labelPrefix + entry.label), isDefault: false });
    }
    return true;
  }

  private entryCommand(draft: EntryDraft, name: string, args: string[], line: number): Tri {
    if (LINUX.has(name)) {
      const [file, ...rest] = args;
      if (!file) {
        this.problem(this.frame.file, line, `${name} without a kernel file: entry skipped`);
        draft.broken = true;
        return false;
      }
      draft.kernel = this.entryFile(draft, name, file, line);
      draft.cmdline = rest.filter((a) => a !== '').join(' ');
      draft.initrd = [];
      return true;
    }
    if (INITRD.has(name)) {
      const files = capFiles(args, 'initrds');
      if (files.problem) this.problem(this.frame.file, line, files.problem);
      draft.initrd = files.kept.map((a) => this.entryFile(draft, name, a, line)).filter((r): r is FileRef => r !== null);
      return true;
    }
    if (name === 'devicetree') {
      draft.dtb = args[0] ? this.entryFile(draft, name, args[0], line) : null;
      return true;
    }
    if (OTHER_LOADERS.has(name)) draft.otherLoader = name;
    return null;
  }

  private entryFile(draft: EntryDraft, command: string, file: string, line: number): FileRef | null {
    const resolved = this.resolvePath(file, '/');
    if ('error' in resolved) {
      this.problem(this.frame.file, line, `${command} ${file}: ${resolved.error}: entry skipped`);
      draft.broken = true;
      return null;
    }
    return resolved.ref;
  }

  // ---- paths and devices ----

  /**
   * `(device)/path`, or a path on the device `root` names. A device found by `search` becomes the
   * FileRef's device; a GRUB drive name (hd0,gpt2) cannot be mapped to a disk here, so its paths
   * stay on this source.
   */
  private resolvePath(text: string, relativeDir: string): { ref: FileRef } | { error: string } {
    // Configs name the same few files over and over (every entry its kernel, every loop turn its grubenv).
    const key = `${relativeDir}\0${this.varValue('root')}\0${text}`;
    let resolved = this.pathCache.get(key);
    if (!resolved) {
      resolved = this.resolvePathNow(text, relativeDir);
      if (this.pathCache.size < MAX_CACHED_PATHS) this.pathCache.set(key, resolved);
    }
    return resolved;
  }

  private resolvePathNow(text: string, relativeDir: string): { ref: FileRef } | { error: string } {
    const m = /^\(([^)]*)\)(.*)$/s.exec(text);
    const deviceName = m ? m[1]! : this.varValue('root');
    let path = m ? m[2]! : text;
    if (path === '') path = '/';
    if (!path.startsWith('/')) path = m ? `/${path}` : `${relativeDir.replace(/\/+$/, '')}/${path}`;
    const parts = sourcePathParts(path);
    if (!parts) return { error: 'path escapes its partition' };
    const device = this.devices.get(deviceName.replace(/^\((.*)\)$/, '$1'));
    const ref: FileRef = { path: `/${parts.join('/')}` };
    if (device) ref.device = { ...device };
    return { ref };
  }

  // ---- expansion ----

  private varValue(name: string): string {
    return this.lookup(name).value;
  }

  private lookup(name: string): Var {
    if (/^\d+$/.test(name)) {
      const n = Number(name);
      return { value: n === 0 ? '' : (this.frame.args[n - 1] ?? ''), unknown: false };
    }
    if (name === '#') return { value: String(this.frame.args.length), unknown: false };
    if (name === '@' || name === '*') return { value: this.frame.args.join(' '), unknown: false };
    if (name === '?') return { value: '0', unknown: true };
    const v = this.env.get(name);
    if (v) return v;
    // Every GRUB kexmenu would meet is new enough to have these features.
    if (name.startsWith('feature_')) return { value: 'y', unknown: false };
    return { value: '', unknown: MACHINE_VARIABLES.has(name) };
  }

  private expandWords(words: Word[], line: number | null): Field[] {
    const fields: Field[] = [];
    for (const word of words) {
      // Literal text is read again each time a loop runs the word: a long one costs its length.
      let chars = 0;
      for (const part of word.parts) if (part.kind === 'text') chars += part.text.length;
      if (!this.charge(1 + (chars >> 6), line)) return fields;
      for (const expanded of this.expandWord(word, line)) {
        for (const field of expanded.pattern ? this.wildcardFields(expanded, line) : [expanded]) {
          if (fields.length >= GRUB_LIMITS.fields) {
            this.limit('fields', line, `a list of more than ${GRUB_LIMITS.fields} words is cut to that many`);
            return fields;
          }
          fields.push(field);
        }
      }
    }
    return fields;
  }

  /**
   * One word to zero or more fields: unquoted variable values split on whitespace, as GRUB does.
   * Each expanded character is charged to the work budget, and no field grows past valueChars.
   */
  private expandWord(word: Word, line: number | null): Field[] {
    const parts = word.parts;
    // Most words are plain text: nothing to expand.
    if (parts.length === 1 && parts[0]!.kind === 'text') {
      const { text, quoted } = parts[0]!;
      return [!quoted && WILDCARD_CHAR.test(text) ? { text, unknown: false, pattern: patternText(text, true) } : { text, unknown: false }];
    }
    // A field's pieces are kept (with whether they came from outside quotes) only when the word
    // may hold a wildcard, and made into a pattern only when one holds it.
    const mayMatch = parts.some((p) => !p.quoted && (p.kind === 'var' || WILDCARD_CHAR.test(p.text)));
    const fields: Field[] = [];
    let current = '';
    let pieces: { text: string; wildcards: boolean }[] = [];
    let wild = false;
    let open = false;
    let unknown = false;
    let cut = false;
    const endField = () => {
      if (open && wild) fields.push({ text: current, unknown: false, pattern: pieces.map((p) => patternText(p.text, p.wildcards)).join('') });
      else if (open) fields.push({ text: current, unknown: false });
      current = '';
      pieces = [];
      wild = false;
      open = false;
    };
    for (const part of parts) {
      const values: string[] = [];
      let mayBeWild = !part.quoted;
      if (part.kind === 'text') {
        values.push(part.text);
      } else {
        const v = this.lookup(part.name);
        mayBeWild &&= this.holdsWildcard(v);
        unknown ||= v.unknown;
        if (!this.charge(1 + (v.value.length >> 6), line)) break;
        if (part.quoted || !HAS_FIELD_SEPARATOR.test(v.value)) values.push(v.value);
        else {
          const split = v.value.split(FIELD_SEPARATORS);
          // Each field it makes is work too: an unquoted 64 KiB value can be 32,768 of them.
          if (!this.charge(split.length, line)) break;
          for (const piece of split) values.push(piece);
        }
      }
      // An unquoted value's whitespace ends the field being built and starts the next.
      for (let i = 0; i < values.length; i++) {
        if (i > 0) {
          endField();
          if (fields.length >= GRUB_LIMITS.fields) break;
        }
        let piece = values[i]!;
        if (piece === '' && part.kind === 'var' && !part.quoted) continue;
        if (current.length + piece.length > GRUB_LIMITS.valueChars) {
          cut = true;
          piece = piece.slice(0, Math.max(0, GRUB_LIMITS.valueChars - current.length));
        }
        current += piece;
        if (mayMatch) {
          pieces.push({ text: piece, wildcards: !part.quoted });
          wild ||= mayBeWild && WILDCARD_CHAR.test(piece);
        }
        open = true;
      }
    }
    endField();
    if (cut) this.limit('value', line, `a value longer than ${GRUB_LIMITS.valueChars} characters is cut to that length`);
    for (const f of fields) f.unknown = unknown;
    return fields;
  }

  private holdsWildcard(v: Var): boolean {
    let holds = this.wildcardValues.get(v);
    if (holds === undefined) {
      holds = WILDCARD_CHAR.test(v.value);
      this.wildcardValues.set(v, holds);
    }
    return holds;
  }

  /** The paths a wildcard field matches on this source, or the field as written when it matches none. */
  private wildcardFields(field: Field, line: number | null): Field[] {
    const budget = { charge: (units: number) => this.charge(units, line), maxMatches: GRUB_LIMITS.wildcardMatches };
    const found = expandWildcard(field.pattern!, this.ctx.files, budget);
    if (!found) return [{ text: field.text, unknown: field.unknown }];
    if (found.cut) this.limit('wildcard', line, `a wildcard matched more than ${GRUB_LIMITS.wildcardMatches} paths: the rest are left out`);
    return found.paths.map((text) => ({ text, unknown: field.unknown }));
  }

  /** Expands GRUB variables in a value another format hands over (BLS `options $kernelopts`). */
  private expandText(text: string): string {
    if (!this.charge(1 + (text.length >> 6), null)) return '';
    const words = lexGrub(text, this.dialect).tokens.flatMap((t) => (t.kind === 'word' ? [t.word] : []));
    return this.expandWords(words, null)
      .map((f) => f.text)
      .filter((t) => t !== '')
      .join(' ');
  }
}

function negate(status: Tri): Tri {
  return status === null ? null : !status;
}

function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** `name=value` as a command word (GRUB's assignment statement); the value part stays unexpanded. */
function splitAssignment(word: Word): { name: string; value: Word } | null {
  const first = word.parts[0];
  if (!first || first.kind !== 'text' || first.quoted) return null;
  const m = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(first.text);
  if (!m) return null;
  const rest = first.text.slice(m[0].length);
  const parts = [...(rest ? [{ ...first, text: rest }] : []), ...word.parts.slice(1)];
  return { name: m[1]!, value: { parts: parts.length ? parts : [{ kind: 'text', text: '', quoted: true }], line: word.line } };
}

const MENUENTRY_OPTIONS_WITH_VALUE = new Set(['--class', '--users', '--hotkey', '--id']);

/** menuentry/submenu arguments: the first plain one is the title ($1 in the body); --id names it; the rest are $2, $3, ... */
export function readMenuentryArgs(args: string[]): { title: string | null; id: string | null; rest: string[] } {
  let title: string | null = null;
  let id: string | null = null;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (MENUENTRY_OPTIONS_WITH_VALUE.has(a)) {
      const value = args[++i];
      if (a === '--id' && value !== undefined) id = value;
    } else if (a.startsWith('--id=')) {
      id = a.slice('--id='.length);
    } else if (a.startsWith('--') && a.length > 2 && title === null) {
      continue; // --unrestricted, --class=x, ...
    } else if (title === null) {
      title = a;
    } else {
      rest.push(a);
    }
  }
  return { title, id, rest };
}

/** A BLS entry's id as GRUB's blscfg names it: the file name without `.conf` (and boot counting). */
function blsIdOf(file: string): string {
  const name = file.slice(file.lastIndexOf('/') + 1).replace(/\.conf$/, '');
  return name.replace(/\+\d+(?:-\d+)?$/, '');
}
