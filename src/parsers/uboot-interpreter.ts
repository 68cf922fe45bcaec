// Runs a U-Boot boot script far enough to learn what it boots: variables, conditions, loops,
// `run` and `source`, and which file each load put at which address, until `booti`/`bootz`/`bootm`
// names the kernel, initrd and device tree by their addresses. The commands themselves are in
// uboot-commands.ts; this file is the shell around them and the state they share.
//
// A condition that rests on what kexmenu cannot know (the board, the boot device, `itest`) runs
// both ways, each from a copy of the state, and the two are joined: what both ways agree on
// stays, what they disagree on becomes unknown, naming the condition. A way that boots ends
// there, as U-Boot's would; its entry is kept, with a problem saying what it rests on.
//
// Everything is charged to one work budget (statements, loop turns, expanded characters, copies
// of the state, bytes read), and values, fields, variables and nesting are capped, so a hostile
// script stops with a problem instead of hanging or filling the memory.
import type { ProblemSink, SourceFiles } from './types.js';
import { type AndOr, type Command, type Pipeline, ScriptReader, type Word } from './uboot-hush.js';
import { runCommand } from './uboot-commands.js';
import type { Tri } from './uboot-test.js';
import { UBOOT_LIMITS } from './uboot-limits.js';
import { Unknowns } from './uboot-unknown.js';

export { UBOOT_LIMITS };

/** What a load left at an address. */
export type Placed =
  | { kind: 'file'; path: string; size: number; overlays: string[]; line: number }
  | { kind: 'missing'; path: string; line: number }
  | { kind: 'unknown'; why: string };

export interface State {
  vars: Map<string, string>;
  memory: Map<string, Placed>;
  /** Where `fdt addr` points. */
  fdtAddr: string | null;
  /** This way of running the script booted or stopped: nothing after runs. */
  ended: boolean;
}

/** A boot command reached: the files at its addresses and the command line at that moment. */
export interface ScriptBoot {
  command: string;
  file: string;
  line: number;
  kernel: string;
  initrd: string | null;
  dtb: string | null;
  overlays: string[];
  cmdline: string;
}

export interface ScriptContext {
  files: SourceFiles;
  problems: ProblemSink;
  /** Where U-Boot found the script ('/' or '/boot/'): distro boot's `${prefix}`. */
  prefix: string;
}

/** What distro boot sets before a script runs that kexmenu can only name: the board's and the boot device's. */
const BOARD_ADDRESSES = ['kernel_addr_r', 'ramdisk_addr_r', 'fdt_addr_r', 'fdtoverlay_addr_r', 'scriptaddr', 'pxefile_addr_r', 'kernel_comp_addr_r', 'loadaddr'];
const BOARD_NAMES = ['fdtfile', 'board', 'board_name', 'soc', 'vendor', 'cpu', 'arch'];
const FIELD_SEPARATORS = /[ \t\n]+/;

interface Frame {
  file: string;
  /** Inside `run`, problems are reported at the `run` line: the variable has no lines of its own. */
  atLine: number | null;
}

export function runBootScript(ctx: ScriptContext, file: string, text: string): ScriptBoot[] {
  const shell = new Shell(ctx, file);
  shell.runText(text, { file, atLine: null });
  return shell.boots;
}

export class Shell {
  readonly unknowns = new Unknowns();
  readonly boots: ScriptBoot[] = [];
  state: State;
  /** The boot device as distro boot names it: `${devtype} ${devnum}:${distro_bootpart}`. */
  readonly device: { iface: string; num: string; part: string };
  runDepth = 0;
  sourceDepth = 0;
  sourceRuns = 0;
  private work = 0;
  private stopped = false;
  private lastStatus: Tri = true;
  /** The undecided conditions the statement running now rests on, innermost last. */
  private readonly conditions: string[] = [];
  private readonly said = new Set<string>();
  private frame: Frame;

  constructor(
    readonly ctx: ScriptContext,
    file: string,
  ) {
    this.frame = { file, atLine: null };
    const u = this.unknowns;
    this.device = {
      iface: u.marker('the interface U-Boot booted from (devtype)'),
      num: u.marker('the number of the device U-Boot booted from (devnum)'),
      part: u.marker('the number of the partition the script is on (distro_bootpart)'),
    };
    const vars = new Map<string, string>([
      ['devtype', this.device.iface],
      ['devnum', this.device.num],
      ['distro_bootpart', this.device.part],
      ['prefix', ctx.prefix],
      ['script', file.slice(file.lastIndexOf('/') + 1)],
    ]);
    for (const name of BOARD_ADDRESSES) vars.set(name, u.marker(`the board's ${name}`));
    for (const name of BOARD_NAMES) vars.set(name, u.marker(`the board's default ${name}`, true));
    this.state = { vars, memory: new Map(), fdtAddr: null, ended: false };
  }

  // ---- what commands use ----

  get file(): string {
    return this.frame.file;
  }

  problem(line: number, message: string): void {
    this.ctx.problems.push({ file: this.frame.file, line: this.frame.atLine ?? line, message });
  }

  /** Reports a limit once per script. */
  limit(key: string, line: number, message: string): void {
    if (this.said.has(key)) return;
    this.said.add(key);
    this.problem(line, message);
  }

  /** Spends `units` of the work budget; false (and everything stops) once it is gone. */
  charge(units: number, line: number): boolean {
    if (this.stopped) return false;
    this.work += units;
    if (this.work <= UBOOT_LIMITS.work) return true;
    this.stopped = true;
    this.limit('work', line, `stopped: the script did more work than a boot script needs (${UBOOT_LIMITS.work} steps; a loop without end?)`);
    return false;
  }

  get(name: string): string | undefined {
    if (name === '?') return this.lastStatus === null ? this.unknowns.marker('the status of a command kexmenu cannot run') : this.lastStatus ? '0' : '1';
    return this.state.vars.get(name);
  }

  set(name: string, value: string | null, line: number): void {
    const { vars } = this.state;
    if (value === null) {
      vars.delete(name);
      return;
    }
    if (!vars.has(name) && vars.size >= UBOOT_LIMITS.variables) {
      this.limit('variables', line, `more than ${UBOOT_LIMITS.variables} variables: ${name.slice(0, 64)} and later ones are not set`);
      return;
    }
    if (value.length > UBOOT_LIMITS.valueChars) {
      this.limit(`value:${name}`, line, `${name.slice(0, 64)}: a value of ${value.length} characters, cut to ${UBOOT_LIMITS.valueChars}`);
      value = value.slice(0, UBOOT_LIMITS.valueChars);
    }
    vars.set(name, value);
  }

  /** The text with each unknown shown as what it is. */
  show(text: string): string {
    let shown = text;
    for (const u of this.unknowns.in(text)) shown = shown.split(this.unknowns.marker(u.what, u.maybeEmpty)).join(`<${u.what}>`);
    return shown;
  }

  /** The undecided conditions in force, for a boot reached under them. */
  conditionsInForce(): string[] {
    return this.conditions.slice(-3);
  }

  /** Runs a script's text (the top one, a sourced one, or a variable's through `run`). */
  runText(text: string, frame: Frame): void {
    const outer = this.frame;
    this.frame = frame;
    if (this.charge(Math.ceil(text.length / 64), frame.atLine ?? 1)) {
      const reader = new ScriptReader(text);
      for (let stmt = reader.next(); stmt && !this.halted(); stmt = reader.next()) this.andOr(stmt);
      if (reader.problem && !this.halted()) this.problem(reader.problem.line, reader.problem.message);
    }
    this.frame = outer;
  }

  halted(): boolean {
    return this.stopped || this.state.ended;
  }

  // ---- statements ----

  private list(stmts: AndOr[]): Tri {
    let status: Tri = true;
    for (const stmt of stmts) {
      if (this.halted()) return null;
      status = this.andOr(stmt);
    }
    return status;
  }

  private andOr(stmt: AndOr): Tri {
    if (!this.charge(1, stmt.line)) return null;
    return this.chain(this.pipeline(stmt.first), stmt.rest, `${renderPipeline(stmt.first)} (line ${stmt.first.command.line})`, stmt.line);
  }

  /** The rest of an `&&`/`||` chain after a command of this status; `what` names that command. */
  private chain(status: Tri, rest: AndOr['rest'], what: string, line: number): Tri {
    for (let i = 0; i < rest.length; i++) {
      if (this.halted()) return null;
      if (status === null) {
        this.bothWays(what, line, () => this.chain(true, rest.slice(i), what, line), () => this.chain(false, rest.slice(i), what, line));
        return null;
      }
      const { op, pipeline } = rest[i]!;
      if (status === (op === '||')) continue;
      status = this.pipeline(pipeline);
      what = `${renderPipeline(pipeline)} (line ${pipeline.command.line})`;
    }
    return status;
  }

  private pipeline(p: Pipeline): Tri {
    const status = this.command(p.command);
    const result = p.negate && status !== null ? !status : status;
    this.lastStatus = result;
    return result;
  }

  private command(cmd: Command): Tri {
    switch (cmd.kind) {
      case 'simple':
        return this.simple(cmd.words, cmd.line);
      case 'if':
        return this.ifFrom(cmd, 0);
      case 'for':
        return this.forLoop(cmd);
      case 'while':
        return this.whileLoop(cmd);
    }
  }

  private ifFrom(cmd: Extract<Command, { kind: 'if' }>, from: number): Tri {
    for (let i = from; i < cmd.clauses.length; i++) {
      const clause = cmd.clauses[i]!;
      const decided = this.list(clause.condition);
      if (this.halted()) return null;
      if (decided === true) return this.list(clause.body);
      if (decided === false) continue;
      const what = `${renderList(clause.condition)} (line ${clause.condition[0]?.line ?? cmd.line})`;
      this.bothWays(what, cmd.line, () => this.list(clause.body), () => this.ifFrom(cmd, i + 1));
      return null;
    }
    return cmd.otherwise ? this.list(cmd.otherwise) : true;
  }

  private forLoop(cmd: Extract<Command, { kind: 'for' }>): Tri {
    const items = this.expand(cmd.items, cmd.line);
    let status: Tri = true;
    for (const item of items) {
      if (this.halted() || !this.charge(1, cmd.line)) return null;
      this.set(cmd.name, item, cmd.line);
      status = this.list(cmd.body);
    }
    return status;
  }

  private whileLoop(cmd: Extract<Command, { kind: 'while' }>): Tri {
    for (;;) {
      if (this.halted() || !this.charge(1, cmd.line)) return null;
      const decided = this.list(cmd.condition);
      if (this.halted()) return null;
      const goOn = decided === null ? null : decided !== cmd.until;
      if (goOn === false) return true;
      if (goOn === true) {
        this.list(cmd.body);
        continue;
      }
      // Undecided: once more, or not; either way kexmenu cannot follow the loop further.
      const what = `${renderList(cmd.condition)} (line ${cmd.line})`;
      this.bothWays(what, cmd.line, () => this.list(cmd.body), () => undefined);
      return null;
    }
  }

  /** Runs `taken` and `notTaken` each from a copy of the state, then joins what they left. */
  private bothWays(what: string, line: number, taken: () => unknown, notTaken: () => unknown): void {
    const before = this.state;
    if (!this.charge(Math.ceil((before.vars.size + before.memory.size) / 16) + 1, line)) return;
    this.state = copyState(before);
    this.conditions.push(what);
    taken();
    this.conditions.pop();
    const afterTaken = this.state;
    this.state = copyState(before);
    notTaken();
    this.state = this.join(afterTaken, this.state, what);
  }

  private join(a: State, b: State, what: string): State {
    if (a.ended) return b;
    if (b.ended) return a;
    const vars = new Map(a.vars);
    for (const name of new Set([...a.vars.keys(), ...b.vars.keys()])) {
      if (a.vars.get(name) !== b.vars.get(name)) vars.set(name, this.unknowns.marker(`${name}, which depends on ${what}`, true));
    }
    const memory = new Map(a.memory);
    for (const addr of new Set([...a.memory.keys(), ...b.memory.keys()])) {
      const x = a.memory.get(addr);
      const y = b.memory.get(addr);
      if (JSON.stringify(x) !== JSON.stringify(y)) memory.set(addr, { kind: 'unknown', why: `what was loaded there depends on ${what}` });
    }
    return { vars, memory, fdtAddr: a.fdtAddr === b.fdtAddr ? a.fdtAddr : null, ended: false };
  }

  private simple(words: Word[], line: number): Tri {
    const assignments = words.every(isAssignment);
    if (assignments && words.length > 0) {
      for (const word of words) {
        const [first, ...rest] = word.parts as [{ text: string; quoted: false }, ...Word['parts']];
        const eq = first.text.indexOf('=');
        const value = this.expandWord({ parts: [{ text: first.text.slice(eq + 1), quoted: true }, ...rest], bare: null }, line, false)[0] ?? '';
        this.set(first.text.slice(0, eq), value, line);
      }
      return true;
    }
    const fields = this.expand(words, line);
    if (fields.length === 0 || this.halted()) return true;
    return runCommand(this, fields, line);
  }

  // ---- expansion ----

  /** The fields a command's words expand to: unquoted variables split at blanks, as hush does. */
  expand(words: Word[], line: number): string[] {
    const out: string[] = [];
    for (const word of words) {
      const fields = this.expandWord(word, line, true);
      if (!this.charge(fields.length, line)) return out;
      for (const field of fields) {
        if (out.length >= UBOOT_LIMITS.fields) {
          this.limit('fields', line, `a command of more than ${UBOOT_LIMITS.fields} words: the rest are dropped`);
          return out;
        }
        out.push(field);
      }
    }
    return out;
  }

  private expandWord(word: Word, line: number, split: boolean): string[] {
    const fields: string[] = [];
    let current = '';
    let keep = false;
    const append = (text: string) => {
      current += text;
      if (current.length > UBOOT_LIMITS.valueChars) {
        this.limit('word', line, `a word of more than ${UBOOT_LIMITS.valueChars} characters is cut there`);
        current = current.slice(0, UBOOT_LIMITS.valueChars);
      }
    };
    for (const part of word.parts) {
      if ('text' in part) {
        // Literal text is work too: a loop can expand one long word over and over.
        if (!this.charge(Math.ceil(part.text.length / 64), line)) return [];
        append(part.text);
        keep = true;
        continue;
      }
      const value = this.get(part.variable) ?? '';
      if (!this.charge(Math.ceil(value.length / 64), line)) return [];
      if (part.quoted || !split) {
        append(value);
        keep = true;
        continue;
      }
      const pieces = value.split(FIELD_SEPARATORS);
      pieces.forEach((piece, i) => {
        if (i > 0) {
          if (keep || current !== '') fields.push(current);
          current = '';
          keep = false;
        }
        append(piece);
        if (piece !== '') keep = true;
      });
    }
    if (keep || current !== '') fields.push(current);
    return fields;
  }
}

function isAssignment(word: Word): boolean {
  const first = word.parts[0];
  return first !== undefined && 'text' in first && !first.quoted && /^[A-Za-z_]\w*=/.test(first.text);
}

function copyState(s: State): State {
  return { vars: new Map(s.vars), memory: new Map(s.memory), fdtAddr: s.fdtAddr, ended: s.ended };
}

/** A command as the script wrote it, near enough to name it in a problem. */
function renderPipeline(p: Pipeline): string {
  const cmd = p.command;
  const text = cmd.kind === 'simple' ? cmd.words.map(renderWord).join(' ') : cmd.kind;
  const shown = p.negate ? `! ${text}` : text;
  return `\`${shown.length > 80 ? `${shown.slice(0, 77)}...` : shown}\``;
}

function renderList(stmts: AndOr[]): string {
  const last = stmts.at(-1);
  if (!last) return '`(nothing)`';
  return [last.first, ...last.rest.map((r) => r.pipeline)].map(renderPipeline).join(' and ');
}

function renderWord(word: Word): string {
  return word.parts.map((p) => ('text' in p ? p.text : `\${${p.variable}}`)).join('');
}

