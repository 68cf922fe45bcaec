// Values a boot script sees that kexmenu cannot know from the disk: the board's load addresses,
// which device U-Boot booted from, a partition's UUID, what `setexpr` or a condition on the
// machine made. Each is a marker that stands inside ordinary strings, so it flows through
// variables, concatenation and field splitting untouched and keeps its identity (a load to
// `${kernel_addr_r}` and a `booti ${kernel_addr_r}` name the same place). Whatever reaches a path
// or the command line with a marker in it is reported by what the marker stands for.
//
// A marker is U+E000, a number, U+E001. Text read from the disk has those two characters replaced
// first (`fromDisk`), so a script cannot forge one.

const OPEN = '\uE000';
const CLOSE = '\uE001';
const MARKER = /\uE000(\d+)\uE001/g;
const MARKER_CHARS = /[\uE000\uE001]/g;
/** Distinct unknowns one run may name; more share the last one, which says so. */
const MAX_UNKNOWNS = 256;

export interface Unknown {
  /** What the value is, in words: "the board's kernel_addr_r", "setexpr at line 12". */
  what: string;
  /** The value may be empty (so `test -n` on it cannot be decided). */
  maybeEmpty: boolean;
}

const MANY = 'one of many values kexmenu cannot know';

export class Unknowns {
  private readonly list: Unknown[] = [];
  private readonly byWhat = new Map<string, string>();

  /** The marker for `what`: the same one each time it is asked for. */
  marker(what: string, maybeEmpty = false): string {
    const known = this.byWhat.get(what);
    if (known !== undefined) return known;
    // Past the limit every new unknown shares one marker, made once (the last slot is kept for it).
    if (this.list.length >= MAX_UNKNOWNS - 1) return this.byWhat.get(MANY) ?? this.add(MANY, true);
    return this.add(what, maybeEmpty);
  }

  private add(what: string, maybeEmpty: boolean): string {
    const marker = `${OPEN}${this.list.length}${CLOSE}`;
    this.list.push({ what, maybeEmpty });
    this.byWhat.set(what, marker);
    return marker;
  }

  /** What the markers in `text` stand for, each once. */
  in(text: string): Unknown[] {
    if (!text.includes(OPEN)) return [];
    const found = new Set<Unknown>();
    for (const m of text.matchAll(MARKER)) found.add(this.list[Number(m[1])]!);
    return [...found];
  }
}

export function hasUnknown(text: string): boolean {
  return text.includes(OPEN);
}

/** The text with its markers taken out. */
export function withoutUnknowns(text: string): string {
  return text.replace(MARKER, '');
}

/** Disk text with the marker characters replaced, so only the interpreter makes markers. */
export function fromDisk(text: string): string {
  return text.replace(MARKER_CHARS, '\uFFFD');
}
